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

	"go.uber.org/zap"
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
	// "https://api.example.com") to a steady rate. Each Throttle applies
	// its rates alone, even with Shared.
	Rates map[string]Rate
	// Shared keeps the origins' budgets, requests in flight and 429
	// back-offs where the Throttles of other processes see them too (see
	// SharedBudget), so that all of them together keep within each
	// origin's budget. Default nil: this Throttle alone.
	//
	// When Shared fails, the Throttle logs it once (SharedLogger), paces
	// with its local state, allowing itself a share of each budget: 1/n
	// of it, n being the number of processes Shared last reported
	// (FallbackProcesses before it reported any); it tries Shared again
	// every second, and logs when it recovers.
	Shared SharedBudget
	// FallbackProcesses is the number of processes assumed to share each
	// budget when Shared fails before it ever answered. Default 3.
	FallbackProcesses int
	// SharedLogger receives a warning when Shared fails and the Throttle
	// falls back on its local state, and a line when it recovers. Default
	// none; a Client passes its Logger.
	SharedLogger *zap.Logger
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
	// sharedDown is when Shared failed last; zero while it works.
	sharedDown time.Time
	// processes is how many processes Shared reported last.
	processes atomic.Int64

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
	if opts.FallbackProcesses <= 0 {
		opts.FallbackProcesses = 3
	}
	if opts.SharedLogger == nil {
		opts.SharedLogger = zap.NewNop()
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
	// waitFor waits until until (or a change of what is known), counting
	// the request's first wait; a deadline passed meanwhile is a refusal.
	waitFor := func(changed chan struct{}, until, now time.Time) error {
		if !counted {
			counted = true
			t.waits.Add(1)
		}
		err := t.wait(ctx, changed, until, now, deadline, hasDeadline)
		if err == errDeadlinePassed {
			t.refusals.Add(1)
			err = &RateLimitError{Origin: name, Reason: "the request's deadline passed while it waited for the rate limit"}
		}
		return err
	}
	for {
		if now := t.clock.Now(); t.useShared(now) {
			if until, changed := t.rateWait(name, now); !until.IsZero() {
				// The origin's static rate (Rates) is this process's own.
				if err := waitFor(changed, until, now); err != nil {
					return nil, t.clock.Now().Sub(start), err
				}
				continue
			}
			g, err := t.opts.Shared.Acquire(ctx, name, t.policy(), now)
			if err == nil {
				t.sharedWorks(g)
				if g.OK {
					t.requests.Add(1)
					return func(resp *http.Response) { t.releaseShared(name, g.Lease, resp) }, now.Sub(start), nil
				}
				if hasDeadline && !g.Until.IsZero() && g.Until.After(deadline) {
					t.refusals.Add(1)
					return nil, now.Sub(start), &RateLimitError{Origin: name, Wait: g.Until.Sub(now),
						Reason: "the origin's rate limit leaves no budget before the request's deadline"}
				}
				until := g.Until
				if until.IsZero() || until.Sub(now) > SharedPoll {
					// Requests in flight elsewhere end unseen: ask again soon.
					until = now.Add(SharedPoll)
				}
				t.mu.Lock()
				changed := t.state(name, now).changed
				t.mu.Unlock()
				if err := waitFor(changed, until, now); err != nil {
					return nil, t.clock.Now().Sub(start), err
				}
				continue
			}
			if ctx.Err() != nil {
				return nil, t.clock.Now().Sub(start), ctx.Err()
			}
			t.sharedFailed(err)
		}
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
			return func(resp *http.Response) { t.release(name, resp, true) }, now.Sub(start), nil
		}
		if hasDeadline && !until.IsZero() && until.After(deadline) {
			t.mu.Unlock()
			t.refusals.Add(1)
			return nil, now.Sub(start), &RateLimitError{Origin: name, Wait: until.Sub(now),
				Reason: "the origin's rate limit leaves no budget before the request's deadline"}
		}
		changed := o.changed
		t.mu.Unlock()
		if err := waitFor(changed, until, now); err != nil {
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
	share := t.share()
	initial := max(int(float64(t.opts.InitialConcurrency)*share), 1)
	if !o.known {
		return time.Time{}, o.inflight < initial
	}
	if int(float64(o.limits.Remaining)*share)-t.opts.Reserve-o.inflight > 0 {
		return time.Time{}, true
	}
	if !o.limits.Reset.IsZero() {
		return o.limits.Reset, false
	}
	if o.inflight == 0 {
		// Exhausted, with no reset time and nothing in flight to learn
		// from: probe carefully, as for an unknown origin.
		o.known = false
		return time.Time{}, o.inflight < initial
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

// release records the outcome of a request; local reports that the
// request was counted in flight here rather than in Shared.
func (t *Throttle) release(name string, resp *http.Response, local bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.clock.Now()
	o := t.state(name, now)
	if local {
		o.inflight--
	}
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
	if t.useShared(now) {
		if err := t.opts.Shared.Block(context.Background(), name, now.Add(wait)); err != nil {
			t.sharedFailed(err)
		}
	}
	return wait
}

// rateWait takes a token of the origin's static rate, if it has one, and
// returns zero; or, when none is left, returns until when to wait and the
// origin's change channel.
func (t *Throttle) rateWait(name string, now time.Time) (time.Time, chan struct{}) {
	t.mu.Lock()
	defer t.mu.Unlock()
	o := t.state(name, now)
	if o.limiter == nil {
		return time.Time{}, nil
	}
	if r := o.limiter.ReserveN(now, 1); r.OK() {
		if d := r.DelayFrom(now); d > 0 {
			r.CancelAt(now)
			return now.Add(d), o.changed
		}
	}
	return time.Time{}, nil
}

// useShared reports whether requests go through Shared: it is set, and it
// worked last time or failed more than sharedRetry ago.
func (t *Throttle) useShared(now time.Time) bool {
	if t.opts.Shared == nil {
		return false
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.sharedDown.IsZero() || now.Sub(t.sharedDown) >= sharedRetry
}

// policy is what Shared needs of the options.
func (t *Throttle) policy() SharedPolicy {
	return SharedPolicy{Reserve: t.opts.Reserve, InitialConcurrency: t.opts.InitialConcurrency, Lease: DefaultLease}
}

// sharedWorks records an answer from Shared, logging a recovery.
func (t *Throttle) sharedWorks(g Grant) {
	if g.Processes > 0 {
		t.processes.Store(int64(g.Processes))
	}
	t.mu.Lock()
	recovered := !t.sharedDown.IsZero()
	t.sharedDown = time.Time{}
	t.mu.Unlock()
	if recovered {
		t.opts.SharedLogger.Info("the shared rate-limit budget works again; pacing with it")
	}
}

// sharedFailed records a failure of Shared: the Throttle paces alone for a
// while. Only the first failure of an outage is logged.
func (t *Throttle) sharedFailed(err error) {
	t.mu.Lock()
	first := t.sharedDown.IsZero()
	t.sharedDown = t.clock.Now()
	t.mu.Unlock()
	if first {
		t.opts.SharedLogger.Warn("the shared rate-limit budget is unreachable; pacing alone with a share of each budget until it returns",
			zap.Float64("share", t.share()), zap.String("error", err.Error()))
	}
}

// share is the part of each budget this Throttle allows itself: all of it
// alone, 1/n of it while Shared is down. Callers may hold mu.
func (t *Throttle) share() float64 {
	if t.opts.Shared == nil {
		return 1
	}
	n := t.processes.Load()
	if n <= 0 {
		n = int64(t.opts.FallbackProcesses)
	}
	return 1 / float64(n)
}

// releaseShared ends a request counted in Shared, and records what its
// response said locally too, for a fall back.
func (t *Throttle) releaseShared(name, lease string, resp *http.Response) {
	now := t.clock.Now()
	var l Limits
	if resp != nil {
		l = ParseLimits(resp.Header, now)
	}
	if err := t.opts.Shared.Release(context.Background(), name, lease, l, now); err != nil {
		t.sharedFailed(err)
	}
	t.release(name, resp, false)
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
