package enginetest

import (
	"sort"
	"sync"
	"time"

	"github.com/hookengine/hookengine/sandbox"
)

// Clock is a virtual clock for tests: time stands still until Advance moves
// it, and callbacks scheduled with AfterFunc run, in time order, on the
// goroutine calling Advance. Give it to an engine with engine.WithClock to
// run hooks that wait on timers without real sleeps.
//
// An engine schedules one timer on its clock per run in progress (the
// wall-time limit), and one more while the run waits for a script timer, so a
// test that wants a waiting hook to go on calls BlockUntil(2) and then
// Advance.
//
// Clock is safe for concurrent use.
type Clock struct {
	mu     sync.Mutex
	cond   *sync.Cond
	now    time.Time
	timers []*clockTimer
}

var _ sandbox.Clock = (*Clock)(nil)

// NewClock returns a Clock reading start.
func NewClock(start time.Time) *Clock {
	c := &Clock{now: start}
	c.cond = sync.NewCond(&c.mu)
	return c
}

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// AfterFunc schedules f to run when the clock has advanced by d.
func (c *Clock) AfterFunc(d time.Duration, f func()) sandbox.Timer {
	c.mu.Lock()
	defer c.mu.Unlock()
	t := &clockTimer{c: c, f: f}
	c.schedule(t, d)
	return t
}

// schedule arms t. Callers hold mu.
func (c *Clock) schedule(t *clockTimer, d time.Duration) {
	t.when = c.now.Add(d)
	if !t.active {
		t.active = true
		c.timers = append(c.timers, t)
	}
	c.cond.Broadcast()
}

// Advance moves the clock forward by d, running every callback that falls
// due, each at its own time, in order.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	target := c.now.Add(d)
	for {
		t := c.next(target)
		if t == nil {
			break
		}
		c.now = t.when
		c.remove(t)
		c.mu.Unlock()
		t.f()
		c.mu.Lock()
	}
	c.now = target
	c.mu.Unlock()
}

// Next returns when the earliest scheduled callback is due; ok is false if
// none is.
func (c *Clock) Next() (at time.Time, ok bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	var first *clockTimer
	for _, t := range c.timers {
		if first == nil || t.when.Before(first.when) {
			first = t
		}
	}
	if first == nil {
		return time.Time{}, false
	}
	return first.when, true
}

// AdvanceToNext moves the clock to the earliest scheduled callback and runs
// it (and any other due at the same time). It reports false, leaving the
// clock alone, when nothing is scheduled.
func (c *Clock) AdvanceToNext() bool {
	at, ok := c.Next()
	if !ok {
		return false
	}
	c.Advance(max(at.Sub(c.Now()), 0))
	return true
}

// next returns the earliest timer due at target. Callers hold mu.
func (c *Clock) next(target time.Time) *clockTimer {
	sort.SliceStable(c.timers, func(i, j int) bool { return c.timers[i].when.Before(c.timers[j].when) })
	if len(c.timers) == 0 || c.timers[0].when.After(target) {
		return nil
	}
	return c.timers[0]
}

// remove disarms t. Callers hold mu.
func (c *Clock) remove(t *clockTimer) bool {
	if !t.active {
		return false
	}
	t.active = false
	for i, x := range c.timers {
		if x == t {
			c.timers = append(c.timers[:i], c.timers[i+1:]...)
			break
		}
	}
	c.cond.Broadcast()
	return true
}

// Timers returns how many callbacks are scheduled.
func (c *Clock) Timers() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.timers)
}

// BlockUntil waits until at least n callbacks are scheduled.
func (c *Clock) BlockUntil(n int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for len(c.timers) < n {
		c.cond.Wait()
	}
}

type clockTimer struct {
	c      *Clock
	f      func()
	when   time.Time
	active bool
}

func (t *clockTimer) Stop() bool {
	t.c.mu.Lock()
	defer t.c.mu.Unlock()
	return t.c.remove(t)
}

func (t *clockTimer) Reset(d time.Duration) bool {
	t.c.mu.Lock()
	defer t.c.mu.Unlock()
	was := t.active
	t.c.schedule(t, d)
	return was
}
