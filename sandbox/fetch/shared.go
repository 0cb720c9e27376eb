package fetch

import (
	"context"
	"time"
)

// SharedBudget keeps each origin's rate-limit state where the Throttles of
// several processes see it: what the origin's latest responses said (limit,
// remaining budget, reset time), the requests in flight from all of them,
// and the back-off after a 429. With it, replicas of a server calling one
// API together stay within the budget the API grants them all, instead of
// each spending it as if it were alone. Package redisbudget implements it
// on Redis.
//
// The decision a SharedBudget makes is the one a Throttle makes for its own
// requests (see Throttle), over the requests of every process: Acquire
// counts a request in flight when the known budget, less the requests
// already in flight and the reserve, leaves room for it, or, while the
// origin's limits are unknown, when fewer than InitialConcurrency requests
// are in flight; after the reset time the budget counts as refilled.
// Readings of an older window than the latest are ignored, and readings of
// the same window only lower the remaining budget.
//
// Times are absolute: the processes' clocks are assumed to agree (NTP), as
// the reset times APIs send (Unix seconds) already assume.
//
// Implementations are safe for concurrent use. An error from any method
// makes the Throttle fall back to its local state for a while (see
// ThrottleOptions.Shared).
type SharedBudget interface {
	// Acquire counts a request to origin in flight if the shared state
	// allows one at now.
	Acquire(ctx context.Context, origin string, p SharedPolicy, now time.Time) (Grant, error)
	// Release ends the request of lease, and records l when the response
	// gave limits (l.Known()); l is the zero Limits without a response.
	Release(ctx context.Context, origin, lease string, l Limits, now time.Time) error
	// Block holds every request to origin, from every process, until the
	// given time: the back-off after a 429.
	Block(ctx context.Context, origin string, until time.Time) error
}

// SharedPolicy is what Acquire needs of the Throttle's options.
type SharedPolicy struct {
	// Reserve is ThrottleOptions.Reserve.
	Reserve int
	// InitialConcurrency is ThrottleOptions.InitialConcurrency.
	InitialConcurrency int
	// Lease bounds how long a request counts in flight when its process
	// never releases it (it died): DefaultLease.
	Lease time.Duration
}

// DefaultLease is how long a request acquired from a SharedBudget counts in
// flight at most, when its process dies before releasing it.
const DefaultLease = time.Minute

// Grant is the answer of SharedBudget.Acquire.
type Grant struct {
	// OK reports that the request may go; Lease then names it for Release.
	OK    bool
	Lease string
	// Until is when to ask again when not OK; zero means "when a request
	// in flight ends", which the Throttle polls for every SharedPoll.
	Until time.Time
	// Processes is how many processes used the budget lately (including
	// this one), for the share of each budget a Throttle allows itself
	// when the SharedBudget fails; 0 if unknown.
	Processes int
}

// SharedPoll is how often a request waiting for the requests in flight of
// other processes to end asks the SharedBudget again.
const SharedPoll = 20 * time.Millisecond

// sharedRetry is how long a Throttle whose SharedBudget failed uses its
// local state before trying the SharedBudget again.
const sharedRetry = time.Second
