package fetch

import (
	"context"
	"errors"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"

	"github.com/hookengine/hookengine/sandbox/clock"
)

// ThrottleOptions configure a Throttle. Zero fields take the defaults shown.
type ThrottleOptions struct {
	// Clock is where waits are measured; default the system clock.
	Clock clock.Clock
	// Reserve is how many requests of every known budget are left unused,
	// for other clients of the same API. Default 0.
	Reserve int
	// InitialConcurrency bounds the requests in flight to an origin whose
	// limits are not known yet (before its first response, or after its
	// budget was refilled and before the next response). Default 4.
	InitialConcurrency int
	// MaxRetries bounds how often a request answered 429 is retried.
	// Default 3; negative means never.
	MaxRetries int
	// BackoffBase and BackoffMax shape the exponential back-off with full
	// jitter used after a 429 that says neither Retry-After nor when the
	// budget resets: attempt n waits a random time up to
	// min(BackoffMax, BackoffBase·2ⁿ). Defaults 500 ms and 30 s.
	BackoffBase, BackoffMax time.Duration
	// Rates paces origins that send no rate-limit fields: origin (such as
	// "https://api.example.com") to a steady rate.
	Rates map[string]Rate
}

// Rate is a static pace for one origin: a token bucket refilled at PerSecond
// requests per second and holding Burst of them (at least 1).
type Rate struct {
	PerSecond float64
	Burst     int
}

// Stats counts what a Throttle did.
type Stats struct {
	// Requests counts requests sent, retries included.
	Requests int64
	// Waits counts requests that waited before being sent.
	Waits int64
	// Retries counts requests sent again after a 429.
	Retries int64
	// TooManyRequests counts 429 responses received.
	TooManyRequests int64
	// Refusals counts requests given up with a *RateLimitError.
	Refusals int64
	// Blocked counts connections the Guard refused (when the Throttle is
	// part of a Client).
	Blocked int64
	// Waiting is how many requests are waiting right now.
	Waiting int64
	// WaitTime is the time requests spent waiting before being sent, in
	// total: for their origin's budget, for a 429's retry time, for a slot.
	WaitTime time.Duration
}

// Throttle paces requests per origin from what the origin's responses say
// about its rate limit (see ParseLimits): requests in flight are counted
// against the remaining budget, and when it is used up later requests wait
// for the reset instead of being sent. Before an origin's limits are known a
// small concurrency cap keeps the first burst small. One Throttle is shared
// by every request of an engine, so hooks running at the same time share one
// budget per origin.
//
// Every wait honours the request's deadline (see WithDeadline): a request
// that would have to wait past it fails at once with a *RateLimitError.
//
// A Throttle is safe for concurrent use.
type Throttle struct {
	opts  ThrottleOptions
	clock clock.Clock

	mu      sync.Mutex
	origins map[string]*origin

	requests, waits, retries, tooMany, refusals, blocked, waiting, waitNanos atomic.Int64
}

// origin is what is known of one origin's rate limit.
type origin struct {
	limits   Limits // as of the latest response; Remaining counts requests the server had left
	known    bool
	inflight int
	blocked  time.Time // no request before this (after a 429)
	changed  chan struct{}
	limiter  *rate.Limiter
	lastUsed time.Time
}

// maxOrigins is how many origins a Throttle remembers before forgetting idle
// ones.
const maxOrigins = 4096

// NewThrottle returns a Throttle configured by opts.
func NewThrottle(opts ThrottleOptions) *Throttle {
	if opts.Clock == nil {
		opts.Clock = clock.System()
	}
	if opts.InitialConcurrency <= 0 {
		opts.InitialConcurrency = 4
	}
	if opts.MaxRetries == 0 {
		opts.MaxRetries = 3
	}
	if opts.BackoffBase <= 0 {
		opts.BackoffBase = 500 * time.Millisecond
	}
	if opts.BackoffMax <= 0 {
		opts.BackoffMax = 30 * time.Second
	}
	return &Throttle{opts: opts, clock: opts.Clock, origins: make(map[string]*origin)}
}

// Stats returns the Throttle's counters.
func (t *Throttle) Stats() Stats {
	return Stats{
		Requests: t.requests.Load(), Waits: t.waits.Load(), Retries: t.retries.Load(),
		TooManyRequests: t.tooMany.Load(), Refusals: t.refusals.Load(), Blocked: t.blocked.Load(),
		Waiting: t.waiting.Load(), WaitTime: time.Duration(t.waitNanos.Load()),
	}
}

// OriginOf returns the origin of a URL as the Throttle keys it:
// "scheme://host:port", lower-cased, with the default port left out.
func OriginOf(scheme, host string) string {
	scheme, host = strings.ToLower(scheme), strings.ToLower(host)
	if (scheme == "https" && strings.HasSuffix(host, ":443")) || (scheme == "http" && strings.HasSuffix(host, ":80")) {
		host = host[:strings.LastIndexByte(host, ':')]
	}
	return scheme + "://" + host
}

// state returns the origin's record. Callers hold mu.
func (t *Throttle) state(name string, now time.Time) *origin {
	o := t.origins[name]
	if o == nil {
		if len(t.origins) >= maxOrigins {
			t.forgetIdle(now)
		}
		o = &origin{changed: make(chan struct{})}
		if r, ok := t.opts.Rates[name]; ok && r.PerSecond > 0 {
			o.limiter = rate.NewLimiter(rate.Limit(r.PerSecond), max(r.Burst, 1))
		}
		t.origins[name] = o
	}
	o.lastUsed = now
	return o
}

// forgetIdle drops origins with nothing in flight and nothing pending.
// Callers hold mu.
func (t *Throttle) forgetIdle(now time.Time) {
	for name, o := range t.origins {
		if o.inflight == 0 && now.After(o.blocked) && now.Sub(o.lastUsed) > time.Minute {
			delete(t.origins, name)
		}
	}
}

// broadcast wakes the requests waiting on o. Callers hold mu.
func (o *origin) broadcast() {
	close(o.changed)
	o.changed = make(chan struct{})
}

// acquire waits until a request to the origin may be sent, then counts it in
// flight. The returned function must be called with the response (nil on
// failure) once the request is over. waited is the time spent waiting.
func (t *Throttle) acquire(ctx context.Context, name string) (release func(*http.Response), waited time.Duration, err error) {
	defer func() {
		if waited > 0 {
			t.waitNanos.Add(int64(waited))
		}
	}()
	deadline, hasDeadline := DeadlineFrom(ctx)
	start := t.clock.Now()
	counted := false
	for {
		t.mu.Lock()
		now := t.clock.Now()
		o := t.state(name, now)
		until, ok := t.decide(o, now)
		if ok && o.limiter != nil {
			if r := o.limiter.ReserveN(now, 1); r.OK() {
				if d := r.DelayFrom(now); d > 0 {
					r.CancelAt(now)
					until, ok = now.Add(d), false
				}
			}
		}
		if ok {
			o.inflight++
			t.mu.Unlock()
			t.requests.Add(1)
			return func(resp *http.Response) { t.release(name, resp) }, now.Sub(start), nil
		}
		if hasDeadline && !until.IsZero() && until.After(deadline) {
			t.mu.Unlock()
			t.refusals.Add(1)
			return nil, now.Sub(start), &RateLimitError{Origin: name, Wait: until.Sub(now),
				Reason: "the origin's rate limit leaves no budget before the request's deadline"}
		}
		changed := o.changed
		t.mu.Unlock()
		if !counted {
			counted = true
			t.waits.Add(1)
		}
		if err := t.wait(ctx, changed, until, now, deadline, hasDeadline); err != nil {
			if err == errDeadlinePassed {
				t.refusals.Add(1)
				err = &RateLimitError{Origin: name, Reason: "the request's deadline passed while it waited for the rate limit"}
			}
			return nil, t.clock.Now().Sub(start), err
		}
	}
}

// decide reports whether a request may go now and, if not, until when it
// must wait (zero: until a response changes what is known). Callers hold mu.
func (t *Throttle) decide(o *origin, now time.Time) (until time.Time, ok bool) {
	if now.Before(o.blocked) {
		return o.blocked, false
	}
	if o.known && !o.limits.Reset.IsZero() && !now.Before(o.limits.Reset) {
		// The budget has been refilled; what is left of it is unknown until
		// the next response, but requests still in flight may count in the
		// new window.
		if o.limits.Limit >= 0 {
			o.limits.Remaining, o.limits.Reset = o.limits.Limit, time.Time{}
		} else {
			o.known = false
		}
	}
	if !o.known {
		return time.Time{}, o.inflight < t.opts.InitialConcurrency
	}
	if o.limits.Remaining-t.opts.Reserve-o.inflight > 0 {
		return time.Time{}, true
	}
	if !o.limits.Reset.IsZero() {
		return o.limits.Reset, false
	}
	if o.inflight == 0 {
		// Exhausted, with no reset time and nothing in flight to learn
		// from: probe carefully, as for an unknown origin.
		o.known = false
		return time.Time{}, o.inflight < t.opts.InitialConcurrency
	}
	return time.Time{}, false
}

// wait blocks until the origin changes, until passes (if set), or ctx ends.
func (t *Throttle) wait(ctx context.Context, changed chan struct{}, until, now, deadline time.Time, hasDeadline bool) error {
	t.waiting.Add(1)
	defer t.waiting.Add(-1)
	var fire chan struct{}
	if !until.IsZero() || hasDeadline {
		at := until
		if at.IsZero() || (hasDeadline && deadline.Before(at)) {
			at = deadline
		}
		fire = make(chan struct{})
		timer := t.clock.AfterFunc(at.Sub(now), func() { close(fire) })
		defer timer.Stop()
	}
	select {
	case <-changed:
		return nil
	case <-fire:
		if hasDeadline && !t.clock.Now().Before(deadline) && (until.IsZero() || until.After(deadline)) {
			return errDeadlinePassed
		}
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

var errDeadlinePassed = errors.New("deadline passed")

// release records the outcome of a request.
func (t *Throttle) release(name string, resp *http.Response) {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.clock.Now()
	o := t.state(name, now)
	o.inflight--
	if resp != nil {
		if l := ParseLimits(resp.Header, now); l.Known() {
			if o.known && sameWindow(o.limits, l) {
				l.Remaining = min(l.Remaining, o.limits.Remaining)
			}
			o.limits, o.known = l, true
		}
	}
	o.broadcast()
}

// sameWindow reports whether two readings describe the same budget window,
// in which the remaining count can only go down.
func sameWindow(a, b Limits) bool {
	if a.Reset.IsZero() || b.Reset.IsZero() {
		return false
	}
	d := a.Reset.Sub(b.Reset)
	return d < time.Second && d > -time.Second
}

// backoff answers a 429: the origin gets no requests until the returned wait
// has passed. It reads Retry-After, else the reset time, else uses
// exponential back-off with full jitter for the given attempt (0 first).
func (t *Throttle) backoff(name string, resp *http.Response, attempt int) time.Duration {
	now := t.clock.Now()
	wait, ok := ParseRetryAfter(resp.Header.Get("Retry-After"), now)
	if !ok {
		if l := ParseLimits(resp.Header, now); !l.Reset.IsZero() && l.Reset.After(now) {
			wait, ok = l.Reset.Sub(now), true
		}
	}
	if !ok {
		ceiling := t.opts.BackoffBase << min(attempt, 30)
		if ceiling <= 0 || ceiling > t.opts.BackoffMax {
			ceiling = t.opts.BackoffMax
		}
		wait = rand.N(ceiling) + 1
	}
	t.mu.Lock()
	o := t.state(name, now)
	if until := now.Add(wait); until.After(o.blocked) {
		o.blocked = until
	}
	o.broadcast()
	t.mu.Unlock()
	return wait
}

type deadlineKey struct{}

// WithDeadline returns a context carrying t as the deadline of the requests
// made with it, measured on the Throttle's clock. Without it a request's
// deadline is its context's. hookengine sets it to the end of a hook's
// wall-time limit.
func WithDeadline(ctx context.Context, t time.Time) context.Context {
	return context.WithValue(ctx, deadlineKey{}, t)
}

// DeadlineFrom returns the deadline of requests made with ctx: the one set
// by WithDeadline, else ctx's own.
func DeadlineFrom(ctx context.Context) (time.Time, bool) {
	if t, ok := ctx.Value(deadlineKey{}).(time.Time); ok {
		return t, true
	}
	return ctx.Deadline()
}
