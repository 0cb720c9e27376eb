package sandbox

import "time"

// Clock tells the time and schedules callbacks. A runtime reads everything
// time-related from its Clock: Date.now and new Date(), setTimeout and
// setInterval, and the wall-time limit. Tests inject a virtual clock (see
// package enginetest) so timers fire without real sleeps.
//
// The CPU-time limit is the exception: it measures real thread CPU time and
// ignores the Clock.
//
// Implementations must be safe for concurrent use.
type Clock interface {
	// Now returns the current time.
	Now() time.Time
	// AfterFunc calls f in its own goroutine once d has elapsed, unless the
	// returned Timer is stopped first.
	AfterFunc(d time.Duration, f func()) Timer
}

// Timer is a callback scheduled by a Clock.
type Timer interface {
	// Stop prevents the callback from running. It reports whether the call
	// stopped the timer, false if it had already fired or been stopped.
	Stop() bool
	// Reset reschedules the callback to run after d, as if newly created.
	Reset(d time.Duration) bool
}

// SystemClock returns the Clock backed by package time.
func SystemClock() Clock { return systemClock{} }

type systemClock struct{}

func (systemClock) Now() time.Time { return time.Now() }

func (systemClock) AfterFunc(d time.Duration, f func()) Timer { return time.AfterFunc(d, f) }
