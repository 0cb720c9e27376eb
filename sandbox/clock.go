package sandbox

import "github.com/hookengine/hookengine/sandbox/clock"

// Clock tells the time and schedules callbacks. A runtime reads everything
// time-related from its Clock: Date.now and new Date(), setTimeout and
// setInterval, the wall-time limit, and fetch's waits for rate limits. Tests
// inject a virtual clock (see package enginetest) so timers fire without real
// sleeps.
//
// The CPU-time limit is the exception: it measures real thread CPU time and
// ignores the Clock.
//
// Implementations must be safe for concurrent use.
type Clock = clock.Clock

// Timer is a callback scheduled by a Clock.
type Timer = clock.Timer

// SystemClock returns the Clock backed by package time.
func SystemClock() Clock { return clock.System() }
