package sandbox

import (
	"context"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/dop251/goja"
)

// Limits bound one execution of a runtime. A zero WallTime or CPUTime means
// no limit; a zero StackDepth means the runtime's default (see
// Config.StackDepth). The engine always fills every field with its defaults.
type Limits struct {
	// WallTime bounds the whole execution, from Begin to End, measured on the
	// runtime's Clock: every turn of JavaScript and every wait between turns.
	WallTime time.Duration

	// CPUTime bounds the time spent running JavaScript. On Linux it is the
	// real CPU time of the thread running the script, read when each turn
	// starts and ends, so waiting on timers or on I/O costs nothing and
	// neither does time the process spends descheduled or stopped. Turns
	// shorter than 100µs are charged their real duration. On other systems
	// every turn is charged at wall-clock time.
	CPUTime time.Duration

	// StackDepth bounds the depth of nested JavaScript calls. Zero means the
	// default of the Config the runtime was built from (see
	// Config.StackDepth).
	StackDepth int

	// Memory bounds, in bytes, the memory an execution may take. It is
	// enforced two ways. Exactly: a built-in asked to make one string,
	// array or buffer larger than Memory (String.prototype.repeat, padStart,
	// padEnd, concat, Array.prototype.join and fill, Array.from, ArrayBuffer
	// and typed arrays, Buffer, JSON.stringify output) ends the execution
	// before allocating, and so does any operator or built-in asked for a
	// string, a BigInt or a list over the size limits Memory leads to (see
	// MaxStringLength, MaxBigIntBits and MaxArrayLength). Approximately: while a turn runs longer than a
	// millisecond, and every 32nd turn, the watchdog reads the process's
	// live heap as of the latest garbage collection, and ends the execution
	// once it has grown by more than Memory since the first collection of
	// the execution (forcing collections when the figure lags far behind).
	// Growth by other goroutines counts too, and collections lag behind
	// allocation, so an execution that grows steadily can hold up to about
	// twice Memory before it is stopped.
	Memory int64

	// FetchRequests and FetchRunBytes, when positive, replace the
	// FetchConfig's MaxRequests and MaxRunBytes for this execution.
	FetchRequests int
	FetchRunBytes int64
}

// probeInterval is how long a turn runs before the watchdog first looks at it,
// and how often it looks again while the turn lasts. It bounds how late a
// cancelled context or a closed stop channel interrupts a busy script.
const probeInterval = time.Millisecond

// shortTurn is the real duration under which a turn is charged that
// duration instead of reading the thread's CPU clock again (a system call):
// however it was spent, the overcharge is below shortTurn.
const shortTurn = 100 * time.Microsecond

// watchdog enforces Limits on the executions of one runtime. The owning
// goroutine calls begin/enter/exit/end; timers call onWall and onProbe from
// their own goroutines, so all state is guarded by mu.
type watchdog struct {
	vm    *goja.Runtime
	clock Clock
	wake  func()
	stop  <-chan struct{}

	mu       sync.Mutex
	running  bool
	lim      Limits
	began    time.Time // on clock
	deadline time.Time // on clock
	ctxDone  <-chan struct{}
	ctx      context.Context // the execution's, for its Err
	tripped  error
	cpuUsed  time.Duration
	wall     Timer
	cancel   context.CancelFunc // of the execution's Context, if made
	halted   atomic.Bool        // tripped, readable without mu
	stopped  chan struct{}      // closed when the execution trips
	closed   bool               // stopped is closed

	ceiling    int64 // Config.MemoryCeiling
	heap       *heapReader
	memChecked bool  // the execution's first check is done
	memNow     int64 // heap at the first check
	memBased   bool  // a collection completed since: memBase is set
	memBase    int64 // live heap found by that collection
	memCycles  int64 // collections completed at the first check, then at the baseline
	turns      int

	inTurn    bool
	tid       int
	turnStart time.Time // real, monotonic
	cpuAtTurn int64     // the thread's CPU clock at turnStart; -1 without one
	probe     *time.Timer
}

func (w *watchdog) begin(ctx context.Context, lim Limits) {
	w.vm.ClearInterrupt()
	w.mu.Lock()
	defer w.mu.Unlock()
	w.running = true
	w.lim = lim
	w.tripped = nil
	w.halted.Store(false)
	if w.stopped == nil || w.closed {
		w.stopped, w.closed = make(chan struct{}), false
	}
	w.cpuUsed = 0
	w.memChecked, w.memBased, w.turns = false, false, 0
	w.ctxDone, w.ctx = ctx.Done(), ctx
	w.began = w.clock.Now()
	if lim.WallTime > 0 {
		w.deadline = w.began.Add(lim.WallTime)
		if w.wall == nil {
			w.wall = w.clock.AfterFunc(lim.WallTime, w.onWall)
		} else {
			w.wall.Reset(lim.WallTime)
		}
	}
	if err := w.pollDone(); err != nil {
		w.tripped = err
	}
}

// detach forgets the caller's context: the execution goes on under its limits
// and the stop channel only.
func (w *watchdog) detach() {
	w.mu.Lock()
	w.ctxDone, w.ctx = nil, nil
	w.mu.Unlock()
}

func (w *watchdog) end() Usage {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.running = false
	w.cancel = nil
	if w.wall != nil {
		w.wall.Stop()
	}
	if w.probe != nil {
		w.probe.Stop()
	}
	return Usage{CPUTime: w.cpuUsed, WallTime: w.clock.Now().Sub(w.began), Err: w.tripped}
}

// err returns the error that ended the execution, if any.
func (w *watchdog) err() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.tripped == nil {
		if err := w.pollDone(); err != nil {
			w.tripped = err
		}
	}
	return w.tripped
}

// done returns the channels a waiting loop must watch besides its wake-ups.
func (w *watchdog) done() (ctxDone, stop <-chan struct{}) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.ctxDone, w.stop
}

// pollDone reports a cancelled context or a closed stop channel. Callers hold mu.
func (w *watchdog) pollDone() error {
	select {
	case <-w.stop:
		return ErrStopped
	default:
	}
	if w.ctxDone != nil {
		select {
		case <-w.ctxDone:
			return &CanceledError{Err: w.ctx.Err()}
		default:
		}
	}
	return nil
}

// trip ends the execution with err. Callers hold mu.
func (w *watchdog) trip(err error) {
	if w.tripped != nil {
		return
	}
	w.tripped = err
	w.halted.Store(true)
	if !w.closed {
		w.closed = true
		close(w.stopped)
	}
	if w.cancel != nil {
		w.cancel()
	}
	if w.inTurn {
		w.vm.Interrupt(err)
	}
	w.wake()
}

// stopNow trips the execution with err from any goroutine.
func (w *watchdog) stopNow(err error) {
	w.mu.Lock()
	if w.running {
		w.trip(err)
	}
	w.mu.Unlock()
}

func (w *watchdog) onWall() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.running || w.tripped != nil || w.lim.WallTime <= 0 || w.clock.Now().Before(w.deadline) {
		return // a late callback from an earlier execution
	}
	w.trip(timeLimitError(ErrWallTimeExceeded, w.lim.WallTime))
}

// enter starts a turn: a stretch of JavaScript run synchronously by the
// owning goroutine. It locks the goroutine to its thread so the thread's CPU
// clock measures the script.
func (w *watchdog) enter() error {
	runtime.LockOSThread()
	tid := threadID()
	cpu := threadCPU(tid)
	now := time.Now()
	w.mu.Lock()
	if w.tripped == nil {
		if err := w.pollDone(); err != nil {
			w.tripped = err
		}
	}
	if w.tripped != nil {
		err := w.tripped
		w.mu.Unlock()
		runtime.UnlockOSThread()
		return err
	}
	w.inTurn, w.tid, w.turnStart, w.cpuAtTurn = true, tid, now, cpu
	d := w.nextProbe(w.cpuUsed)
	if w.probe == nil {
		w.probe = time.AfterFunc(d, w.onProbe)
	} else {
		w.probe.Reset(d)
	}
	w.mu.Unlock()
	return nil
}

// exit ends the turn started by enter, charges its CPU time and returns the
// error that ended the execution, if any.
func (w *watchdog) exit() error {
	end := time.Now()
	w.mu.Lock()
	w.probe.Stop()
	w.inTurn = false
	if took := end.Sub(w.turnStart); took < shortTurn {
		w.cpuUsed += took
	} else {
		w.cpuUsed += w.turnCPU(threadCPU(w.tid), end)
	}
	if w.tripped == nil && w.lim.CPUTime > 0 && w.cpuUsed > w.lim.CPUTime {
		w.tripped = timeLimitError(ErrCPUTimeExceeded, w.lim.CPUTime)
	}
	if w.turns++; w.tripped == nil && w.turns%32 == 0 {
		// Many short turns escape the probe; look at them now and then.
		w.checkMemory()
	}
	err := w.tripped
	w.mu.Unlock()
	runtime.UnlockOSThread()
	return err
}

// turnCPU returns the CPU time the current turn has used, given the thread's
// CPU clock now (cpu) and the real time now: the difference of the clock's
// readings, or the real time since the turn started where there is no
// clock. Callers hold mu.
func (w *watchdog) turnCPU(cpu int64, now time.Time) time.Duration {
	if cpu >= 0 && w.cpuAtTurn >= 0 {
		return time.Duration(cpu - w.cpuAtTurn)
	}
	return now.Sub(w.turnStart)
}

// nextProbe returns when to look at a running turn again, given the CPU time
// already used. CPU time never grows faster than real time, so the budget
// cannot run out before the returned delay has passed. Callers hold mu.
func (w *watchdog) nextProbe(used time.Duration) time.Duration {
	d := probeInterval
	if w.lim.CPUTime > 0 {
		if rem := w.lim.CPUTime - used; rem < d {
			d = max(rem, 0)
		}
	}
	return d
}

func (w *watchdog) onProbe() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.inTurn || w.tripped != nil {
		return
	}
	if err := w.pollDone(); err != nil {
		w.trip(err)
		return
	}
	used := w.cpuUsed + w.turnCPU(threadCPU(w.tid), time.Now())
	if w.lim.CPUTime > 0 && used >= w.lim.CPUTime {
		w.trip(timeLimitError(ErrCPUTimeExceeded, w.lim.CPUTime))
		return
	}
	if w.checkMemory(); w.tripped != nil {
		return
	}
	w.probe.Reset(w.nextProbe(used))
}

// memoryLimits returns the execution's memory limit and the ceiling.
func (w *watchdog) memoryLimits() (limit, ceiling int64) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.lim.Memory, w.ceiling
}

// checkMemory trips the execution when the live heap has grown past its
// memory limit, or when the live heap is over the ceiling while this
// execution grows it. The live heap is only known as of the latest
// collection, so the baseline is the first collection to complete after
// the execution's first check; until then only the ceiling applies. When the
// heap as it is now suggests the live figure is far behind, a collection is
// asked for, and a later check sees its result. Callers hold mu.
func (w *watchdog) checkMemory() {
	if w.lim.Memory <= 0 && w.ceiling <= 0 {
		return
	}
	if w.heap == nil {
		w.heap = newHeapReader()
	}
	live, now, cycles := w.heap.readCycles()
	switch {
	case !w.memChecked:
		w.memChecked, w.memCycles, w.memNow = true, cycles, now
		return
	case !w.memBased:
		if cycles > w.memCycles {
			w.memBased, w.memBase, w.memCycles = true, live, cycles
		} else if now-w.memNow > 2*w.lim.Memory {
			requestGC()
		}
		return
	}
	grown := live - w.memBase
	switch {
	case w.lim.Memory > 0 && grown > w.lim.Memory:
		w.trip(&LimitError{Err: ErrMemoryExceeded, Limit: formatBytes(w.lim.Memory)})
		return
	case w.ceiling > 0 && live > w.ceiling && cycles > w.memCycles && grown > 0:
		w.trip(&LimitError{Err: ErrMemoryExceeded, Limit: formatBytes(w.ceiling) + " engine ceiling"})
		return
	}
	if (w.lim.Memory > 0 && now-w.memBase > max(2*w.lim.Memory, live/2)) || (w.ceiling > 0 && now > w.ceiling) {
		requestGC()
	}
}

// Usage reports what an execution consumed.
type Usage struct {
	// CPUTime is the time charged against the CPU budget (see Limits.CPUTime).
	CPUTime time.Duration
	// WallTime is the time from Begin to End on the runtime's Clock.
	WallTime time.Duration
	// Err is the error that ended the execution early, nil if none did.
	Err error
}

func stackLimitError(depth int) *LimitError {
	return &LimitError{Err: ErrStackDepthExceeded, Limit: strconv.Itoa(depth) + " calls"}
}

func (w *watchdog) usage() Usage {
	w.mu.Lock()
	defer w.mu.Unlock()
	cpu := w.cpuUsed
	if w.inTurn {
		cpu += w.turnCPU(threadCPU(w.tid), time.Now())
	}
	return Usage{CPUTime: cpu, WallTime: w.clock.Now().Sub(w.began), Err: w.tripped}
}

// stoppedChan returns the channel trip closes, and the error that ended the
// execution if it has ended.
func (w *watchdog) stoppedChan() (<-chan struct{}, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.stopped, w.tripped
}

// wallDeadline returns when the execution's wall-time limit ends, on the
// runtime's clock.
func (w *watchdog) wallDeadline() (time.Time, bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.deadline, w.running && w.lim.WallTime > 0
}

// cancelOnTrip makes the execution's end, for any reason, call cancel.
func (w *watchdog) cancelOnTrip(cancel context.CancelFunc) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.tripped != nil {
		cancel()
		return
	}
	w.cancel = cancel
}
