// Package enginetest helps test code that runs hooks, and hook scripts
// themselves, the way zaptest and httptest help with loggers and handlers.
//
// Run runs a script in one line:
//
//	res, err := enginetest.Run(t, triggers.PreUserRegistration, script, input)
//
// New and NewObserved build engines that log to the test and close when it
// ends; Clock runs hooks in virtual time, so a hook that waits five seconds on
// a timer finishes at once:
//
//	clk := enginetest.NewClock(time.Now())
//	e := enginetest.New(t, engine.WithClock(clk))
//	go func() { res, err = e.Run(ctx, hook, input); close(done) }()
//	clk.BlockUntil(2) // the run's wall-time limit and its wait for the timer
//	clk.Advance(5 * time.Second)
//	<-done
//
// WindowServer is an API that enforces a per-second rate limit in the
// Clock's time and says so in Auth0's rate-limit headers, and Clock.Drive
// moves the clock on whenever every caller is waiting on a fetch
// throttle: together they test hooks that fetch under rate limits without
// waiting in real time.
package enginetest
