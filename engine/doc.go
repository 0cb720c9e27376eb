// Package engine runs Auth0 Hooks scripts inside a Go program: the public API
// of hookengine, built on package sandbox (runtimes, event loop, limits,
// modules) and package triggers (the five extensibility points).
//
// An auth server makes one Engine, hands it a Hook (a script and the
// extensibility point it is written for) and the point's input, and gets back
// what Auth0's Hooks runtime would have answered, plus a typed outcome:
//
//	e, err := engine.New(engine.WithLogger(logger))
//	...
//	defer e.Close()
//	res, err := e.Run(ctx, engine.Hook{
//		Name:    "add-plan",
//		Trigger: triggers.PreUserRegistration,
//		Script:  script,
//		Secrets: map[string]string{"API_KEY": key},
//	}, input)
//	if err != nil {
//		// The run ended without the hook calling back: a limit, a script
//		// that does not compile, invalid input... res still holds an
//		// error envelope describing it.
//	}
//	outcome := res.Outcome().(*triggers.PreUserRegistrationOutcome)
//
// See ExampleEngine_Run for a complete program.
//
// # What scripts see
//
// Scripts run as on Auth0: module.exports is the hook function, called with
// the point's arguments and a Node-style callback; the point's error classes
// (InvalidScopeError, PreUserRegistrationError, ...) are in scope;
// context.webtask.secrets holds the hook's secrets. Scripts may use
// async/await, timers, promises, console, require for the modules the engine
// provides (see WithModule), and ES2015-2020 syntax. They cannot reach the
// file system, the process environment or the host's Go objects.
//
// The same engine runs two other forms of script on the same points (see
// Hook.Form and triggers.Form): Auth0 Actions, which export the point's
// handler (exports.onExecutePreUserRegistration = async (event, api) =>
// {...}) and get the event and api objects Auth0's Actions reference
// describes, built from the same input; and bare functions
// (function (user, context, callback) {...}), run as the Hooks form. Their
// results map to the same Envelope and typed Outcome; Result.Form says which
// form ran. See ExampleEngine_Run_action.
//
// Where Auth0 waited for its 20-second timeout, hookengine ends a run at once:
// a hook that throws, or whose promise rejects, before calling back ends with
// ErrThrown; a hook that returns without calling back and has nothing left
// scheduled ends with ErrNoCallback.
//
// # Limits
//
// Every run is bounded by a wall-time limit (DefaultWallTime, Auth0's 20 s),
// a CPU-time limit (DefaultCPUTime) counting only time spent running
// JavaScript, and a call-stack depth limit (DefaultStackDepth). Each exceeded
// limit ends the run with its own error (ErrWallTimeExceeded,
// ErrCPUTimeExceeded, ErrStackDepthExceeded) and an error envelope;
// cancelling Run's context stops the script within milliseconds. Set the
// defaults with WithLimits and override them per hook with Hook.Limits.
//
// A memory limit (DefaultMemory per run, with an engine-wide ceiling, see
// WithMemoryCeiling) ends runs with ErrMemoryExceeded; single values a
// script asks a built-in for (strings, BigInts, lists, buffers) are capped
// before they are made. goja sees an interrupt only between instructions, so
// a script inside one native call cannot be stopped at once: Run still
// returns a short grace after the limit, abandoning the runtime (see
// WithStuckRuntimes and ErrHookQuarantined).
//
// # Worker processes
//
// WithProcessIsolation runs every hook in a pool of worker processes (the
// embedder's own program, started again: RunWorkerIfChild goes first in
// main), with the same API, results and errors. The engine kills a worker
// whose run passes its wall time, CPU time or memory (held by the kernel
// too, with an rlimit and a cgroup where it may make one), answers that run
// with the limit's error, and starts a replacement; fetch, console output
// and the throttle stay in the engine's process. See ExampleWithProcessIsolation.
//
// # Compiling once, warm runtimes
//
// Scripts are compiled once and cached by content (WithProgramCacheSize). A
// runtime, once set up for a hook, is kept warm and reused by later runs of
// the same hook (same id, name, trigger, script and secrets), never by
// another: no hook can see another's globals, prototypes or secrets. As in
// Auth0's warm containers, module-level state of a hook may therefore persist
// from one run to the next; WithFreshRuntimes and Hook.FreshRuntime give every
// run a new runtime instead. A runtime that hit a limit or panicked is thrown
// away. Forget drops a hook's programs and warm runtimes at once, for a hook
// changed or deleted elsewhere (another replica: see store.Watcher).
//
// # Metrics and traces
//
// WithObserver tells an Observer about every finished run (package metrics
// turns that into Prometheus metrics); fetch.Options.Observer does the same
// for fetch requests. WithTracerProvider records an OpenTelemetry span per
// run and per fetch request, and sends the W3C traceparent header to the
// APIs hooks call; without it there are no spans.
//
// # Results, errors and logs
//
// Run returns a Result holding the envelope, the typed outcome, the console
// output of the run and its duration. Its error is nil whenever the hook
// called back, with a value or with an error (a denial is a normal outcome);
// otherwise it is a *RunError wrapping one of the ErrXxx sentinels, a
// *CompileError, a *ScriptError or an *InputError, for errors.Is and
// errors.As.
//
// Console output goes both into Result.Logs (bounded by WithLogCapture) and
// to the engine's zap logger with the fields hook_id, hook_name, trigger and
// execution_id. Secret values are redacted from everything the engine logs.
//
// Work a hook leaves running after calling back (Auth0's Slack sample does so)
// goes on in the background until it finishes or reaches the wall-time limit;
// it does not hold up Run. RunAsync runs a hook entirely in the background, as
// Auth0 ran post-user-registration and post-change-password hooks.
//
// # Concurrency
//
// An Engine is safe for concurrent use by any number of goroutines. Close
// interrupts everything in progress; Shutdown waits for it.
package engine
