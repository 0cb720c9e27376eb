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
package enginetest
