// Package clock defines the clock hookengine reads time from, so that tests
// can replace real time with virtual time (see enginetest.Clock).
//
// # Concurrency
//
// System's Clock and its Timers are safe for concurrent use; so must be
// every other implementation.
package clock
