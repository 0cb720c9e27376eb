package sandbox

import (
	"container/heap"
	"slices"
	"sync"
	"time"

	"github.com/dop251/goja"
)

// timer is one setTimeout, setInterval or setImmediate callback.
type timer struct {
	id        int64
	when      time.Time     // on the runtime's clock; unused for immediates
	delay     time.Duration // as requested
	interval  time.Duration // delay again for setInterval, else zero
	fn        goja.Callable
	args      []goja.Value
	ref       bool // a referenced timer keeps the execution alive
	immediate bool
	index     int // position in the heap or -1
	cleared   bool
}

type timerHeap []*timer

func (h timerHeap) Len() int { return len(h) }
func (h timerHeap) Less(i, j int) bool {
	if !h[i].when.Equal(h[j].when) {
		return h[i].when.Before(h[j].when)
	}
	return h[i].id < h[j].id
}
func (h timerHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].index = i
	h[j].index = j
}
func (h *timerHeap) Push(x any) {
	t := x.(*timer)
	t.index = len(*h)
	*h = append(*h, t)
}
func (h *timerHeap) Pop() any {
	old := *h
	t := old[len(old)-1]
	old[len(old)-1] = nil
	*h = old[:len(old)-1]
	t.index = -1
	return t
}

// loop is the event loop of one runtime. Timers and immediates belong to the
// owning goroutine; jobs and pending counts are shared with the goroutines
// that complete asynchronous operations, under mu.
type loop struct {
	clock Clock

	mu      sync.Mutex
	jobs    []func()
	spare   []func()
	pending int
	gen     uint64 // bumped by every Begin and End; stale completions are dropped
	open    bool   // an execution is running
	wakeCh  chan struct{}

	timers     timerHeap
	byID       map[int64]*timer
	nextID     int64
	refs       int // referenced timers and immediates scheduled
	immediates []*timer
	wakeTimer  Timer
}

func (l *loop) init(clock Clock) {
	l.clock = clock
	l.wakeCh = make(chan struct{}, 1)
	l.byID = make(map[int64]*timer)
}

// wake interrupts a blocked wait. Safe from any goroutine.
func (l *loop) wake() {
	select {
	case l.wakeCh <- struct{}{}:
	default:
	}
}

func (l *loop) open_() {
	l.mu.Lock()
	l.gen++
	l.open = true
	l.pending = 0
	l.jobs = l.jobs[:0]
	l.mu.Unlock()
}

// close_ ends the current execution's asynchronous work: timers,
// immediates, queued completions and pending operations are dropped.
func (l *loop) close_() {
	l.mu.Lock()
	l.gen++
	l.open = false
	l.pending = 0
	clear(l.jobs)
	l.jobs = l.jobs[:0]
	l.mu.Unlock()
	for _, t := range l.timers {
		t.cleared, t.index = true, -1
	}
	clear(l.timers)
	l.timers = l.timers[:0]
	for _, t := range l.immediates {
		t.cleared = true
	}
	clear(l.immediates)
	l.immediates = l.immediates[:0]
	clear(l.byID)
	l.refs = 0
	if l.wakeTimer != nil {
		l.wakeTimer.Stop()
	}
	select {
	case <-l.wakeCh:
	default:
	}
}

func (l *loop) add(t *timer) {
	l.nextID++
	t.id = l.nextID
	t.index = -1
	l.byID[t.id] = t
	if t.ref {
		l.refs++
	}
	if t.immediate {
		l.immediates = append(l.immediates, t)
		return
	}
	heap.Push(&l.timers, t)
}

func (l *loop) clear(id int64) {
	t, ok := l.byID[id]
	if !ok {
		return
	}
	delete(l.byID, id)
	t.cleared = true
	if t.ref {
		l.refs--
	}
	if t.index >= 0 {
		heap.Remove(&l.timers, t.index)
	}
	// Cleared immediates stay in the queue and are skipped when reached.
}

// refresh restarts a scheduled timer with its original delay.
func (l *loop) refresh(t *timer) {
	if t.immediate || t.index < 0 {
		return
	}
	t.when = l.clock.Now().Add(t.delay)
	heap.Fix(&l.timers, t.index)
}

// setRef changes whether t keeps the execution alive.
func (l *loop) setRef(t *timer, ref bool) {
	if t.ref == ref {
		return
	}
	t.ref = ref
	if t.cleared {
		return
	}
	if ref {
		l.refs++
	} else {
		l.refs--
	}
}

// alive reports whether anything can still run.
func (l *loop) alive() bool {
	if l.refs > 0 {
		return true
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.pending > 0 || len(l.jobs) > 0
}

// dueTimer pops the earliest timer if it is due at now.
func (l *loop) dueTimer(now time.Time) *timer {
	if len(l.timers) == 0 || l.timers[0].when.After(now) {
		return nil
	}
	return heap.Pop(&l.timers).(*timer)
}

// takeJobs returns the completions queued so far.
func (l *loop) takeJobs() []func() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.jobs) == 0 {
		return nil
	}
	jobs := l.jobs
	l.jobs, l.spare = l.spare[:0], jobs
	return jobs
}

// requeueJobs puts completions taken but not run back at the head of the
// queue, for the next pass.
func (l *loop) requeueJobs(jobs []func()) {
	if len(jobs) == 0 {
		return
	}
	l.mu.Lock()
	l.jobs = slices.Insert(l.jobs, 0, jobs...)
	l.mu.Unlock()
}

// register counts one pending operation and returns its completion function.
func (l *loop) register() func(func()) bool {
	l.mu.Lock()
	gen := l.gen
	l.pending++
	l.mu.Unlock()
	var once sync.Once
	return func(job func()) (accepted bool) {
		once.Do(func() {
			l.mu.Lock()
			if l.gen != gen || !l.open {
				l.mu.Unlock()
				return
			}
			l.pending--
			if job != nil {
				l.jobs = append(l.jobs, job)
			}
			l.mu.Unlock()
			l.wake()
			accepted = true
		})
		return accepted
	}
}

// armWake schedules a wake-up for the earliest timer and reports whether one
// is due already.
func (l *loop) armWake() (due bool) {
	if len(l.timers) == 0 {
		return false
	}
	d := l.timers[0].when.Sub(l.clock.Now())
	if d <= 0 {
		return true
	}
	if l.wakeTimer == nil {
		l.wakeTimer = l.clock.AfterFunc(d, l.wake)
	} else {
		l.wakeTimer.Reset(d)
	}
	return false
}
