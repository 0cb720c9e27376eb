// Package runner runs the hooks a store holds: the enabled hook of an
// extensibility point, or any stored hook by id, on an engine.
//
// Every run reads the hook from the store, so a change is used from the next
// run on, whether it was made in this process or in another one sharing the
// database; the engine's caches are keyed by the script's content and the
// hook's secrets, so a changed script is compiled again and changed secrets
// get a fresh runtime, while an unchanged hook keeps its compiled script and
// warm runtimes.
//
//	r := runner.New(st, e)
//	res, err := r.RunTrigger(ctx, triggers.PreUserRegistration, input)
//	if errors.Is(err, runner.ErrNoHookEnabled) {
//		// no hook for this point: go on as if it had succeeded
//	}
package runner
