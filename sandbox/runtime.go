package sandbox

import (
	"container/heap"
	"context"
	"errors"
	"runtime/debug"
	"slices"

	"github.com/dop251/goja"

	"github.com/hookengine/hookengine/sandbox/fetch"
)

// DefaultStackDepth is the call-stack depth limit of a runtime whose Config
// leaves StackDepth at zero. goja's own default is unlimited.
const DefaultStackDepth = 4096

// Config describes how New builds runtimes. A Config may be shared by many
// runtimes and must not change once the first of them exists.
type Config struct {
	// Clock supplies time to scripts, timers and the wall-time limit.
	// Nil means SystemClock().
	Clock Clock

	// Modules lists what require can load. Nil means the built-in modules
	// only (see NewRegistry).
	Modules *Registry

	// StackDepth is the default call-stack depth limit, used when an
	// execution's Limits leave StackDepth at zero. Zero means
	// DefaultStackDepth.
	StackDepth int

	// Stop, when closed, ends every execution of the runtimes built from
	// this Config with ErrStopped.
	Stop <-chan struct{}

	// Fetch, when set, gives scripts fetch and its companions (see
	// FetchConfig). Without it they have no network access.
	Fetch *FetchConfig

	// MemoryCeiling, when positive, is the process heap size in bytes above
	// which executions that are growing the heap are stopped with
	// ErrMemoryExceeded (see Limits.Memory for how memory is watched).
	MemoryCeiling int64
}

// Host receives what a script produces during an execution besides the values
// it returns. Its methods are called on the goroutine that drives the
// runtime, with no locks held.
type Host interface {
	// Console receives one formatted console call.
	Console(level Level, msg string)
	// Uncaught receives an exception thrown by an asynchronous callback
	// (a timer, an immediate or a completion) that nothing caught.
	Uncaught(err *goja.Exception)
	// Unhandled receives the reason of a promise that was rejected and still
	// had no rejection handler at the end of a turn.
	Unhandled(reason goja.Value)
}

type nopHost struct{}

func (nopHost) Console(Level, string)    {}
func (nopHost) Uncaught(*goja.Exception) {}
func (nopHost) Unhandled(goja.Value)     {}

// Runtime is one JavaScript runtime with its own event loop, module cache and
// limits. Scripts run in executions: Begin starts one, Do runs a turn of
// JavaScript, Wait drives the event loop, End finishes the execution and
// clears what it left scheduled. Globals and module state survive from one
// execution to the next.
//
// A Runtime is not safe for concurrent use: one goroutine at a time drives it.
// Only the functions returned by Pending may be called from other goroutines.
type Runtime struct {
	vm      *goja.Runtime
	cfg     *Config
	wd      watchdog
	loop    loop
	host    Host
	running bool
	broken  bool

	defaultDepth int
	depth        int

	rejected []*goja.Promise
	modules  map[string]goja.Value
	fetch    *fetcher
	nesting  int         // calls of guarded recursive natives in progress
	heap     *heapReader // for allocation checks on the driving goroutine
	// maxString is the string length limit of the execution (see
	// sizeLimitsFor), for strings made by host functions.
	maxString int
	json      jsonScratch // JSON.parse's stacks
	// jsonBuf is JSON.stringify's output buffer, kept for the next call;
	// jsonBufBusy while a call uses it.
	jsonBuf     []byte
	jsonKeys    []string // JSON.stringify's key lists, kept likewise
	jsonBufBusy bool

	execCtx    context.Context
	execCancel context.CancelFunc
	callerCtx  context.Context

	intrinsics
	globals
	guards guardState
}

// New builds a runtime with the globals every hook may use: console, timers,
// queueMicrotask, require, a sandboxed process object, Buffer, URL and
// URLSearchParams.
func New(cfg *Config) (*Runtime, error) {
	if cfg == nil {
		cfg = &Config{}
	}
	clock := cfg.Clock
	if clock == nil {
		clock = SystemClock()
	}
	r := &Runtime{
		vm:           goja.New(),
		cfg:          cfg,
		host:         nopHost{},
		defaultDepth: cfg.StackDepth,
		modules:      make(map[string]goja.Value),
	}
	if r.defaultDepth <= 0 {
		r.defaultDepth = DefaultStackDepth
	}
	r.depth = r.defaultDepth
	r.vm.SetMaxCallStackSize(r.depth)
	r.vm.SetSizeLimitCallback(r.onSizeLimit)
	r.setSizeLimits(0)
	r.vm.SetTimeSource(clock.Now)
	r.loop.init(clock)
	r.wd.vm, r.wd.clock, r.wd.wake, r.wd.stop, r.wd.ceiling = r.vm, clock, r.loop.wake, cfg.Stop, cfg.MemoryCeiling
	r.vm.SetPromiseRejectionTracker(r.trackRejection)
	if err := r.captureIntrinsics(); err != nil {
		return nil, err
	}
	if err := r.installGlobals(); err != nil {
		return nil, err
	}
	return r, nil
}

// VM returns the goja runtime. Use it only on the goroutine driving the
// Runtime, and only during an execution when running script code.
func (r *Runtime) VM() *goja.Runtime { return r.vm }

// Clock returns the clock the runtime reads time from.
func (r *Runtime) Clock() Clock { return r.loop.clock }

// Reusable reports whether the runtime can serve another execution: false
// once an execution hit a limit, was stopped or cancelled, or panicked, since
// its state can no longer be trusted.
func (r *Runtime) Reusable() bool { return !r.broken }

// Begin starts an execution bounded by lim and by ctx: cancelling ctx stops
// the script within milliseconds. host receives console output and
// asynchronous errors; nil discards them.
func (r *Runtime) Begin(ctx context.Context, lim Limits, host Host) {
	if host == nil {
		host = nopHost{}
	}
	r.host = host
	r.running = true
	r.callerCtx = ctx
	depth := lim.StackDepth
	if depth <= 0 {
		depth = r.defaultDepth
	}
	if depth != r.depth {
		r.depth = depth
		r.vm.SetMaxCallStackSize(depth)
	}
	r.setSizeLimits(lim.Memory)
	r.loop.open_()
	if r.fetch != nil {
		r.fetch.reset(lim)
	}
	r.wd.begin(ctx, lim)
}

// Detach lets the execution outlive the context given to Begin: from now on
// only its limits and the Config's Stop channel end it. Use it for work a
// script leaves running after it has produced its result.
func (r *Runtime) Detach() { r.wd.detach() }

// End finishes the execution: timers and immediates still scheduled are
// dropped, pending operations are abandoned (their completions are refused)
// and the context returned by Context is cancelled. It reports what the
// execution used.
func (r *Runtime) End() Usage {
	u := r.wd.end()
	if u.Err != nil {
		r.broken = true
	}
	r.loop.close_()
	if r.execCancel != nil {
		r.execCancel()
		r.execCtx, r.execCancel = nil, nil
	}
	r.running = false
	r.nesting = 0
	r.callerCtx = nil
	r.rejected = r.rejected[:0]
	r.host = nopHost{}
	return u
}

// Err returns the error that ended the current execution early, or nil.
func (r *Runtime) Err() error {
	if !r.running {
		return ErrNotRunning
	}
	return r.wd.err()
}

// Stop ends the current execution with err (ErrStopped if nil) as if a
// limit had been reached. It is safe to call from any goroutine.
func (r *Runtime) Stop(err error) {
	if err == nil {
		err = ErrStopped
	}
	r.wd.stopNow(err)
}

// Stopped returns a channel that is closed once the current execution has
// been ended early: by a limit, by Stop, by the Config's Stop channel or by
// its context (which are noticed within a millisecond even while a turn
// runs). The channel of an execution stays valid after it ends. A script
// stuck inside one long native operation (a built-in that never checks for
// interruption) may keep running after the channel is closed: Stopped lets
// another goroutine notice that and stop waiting for it. Call it after
// Begin; it is safe for concurrent use.
func (r *Runtime) Stopped() <-chan struct{} {
	ch, _ := r.wd.stoppedChan()
	return ch
}

// Cause returns the error that ended the current execution early, or nil
// while it has not. Unlike Err it is safe to call from any goroutine, while
// another drives the runtime.
func (r *Runtime) Cause() error {
	_, err := r.wd.stoppedChan()
	return err
}

// Context returns a context for asynchronous work started by the current
// execution: it carries the values of the context given to Begin and the
// execution's wall-time deadline on the runtime's clock (see
// fetch.DeadlineFrom), and it is cancelled as soon as the execution ends for
// any reason, a limit included.
func (r *Runtime) Context() context.Context {
	if r.execCtx == nil {
		base := context.Background()
		if r.callerCtx != nil {
			base = context.WithoutCancel(r.callerCtx)
		}
		if d, ok := r.wd.wallDeadline(); ok {
			base = fetch.WithDeadline(base, d)
		}
		r.execCtx, r.execCancel = context.WithCancel(base)
		r.wd.cancelOnTrip(r.execCancel)
	}
	return r.execCtx
}

// Pending registers an asynchronous operation of the current execution, to
// be completed on another goroutine. Call it on the driving goroutine (from
// a host function). The execution stays alive until the returned function is
// called with the work to run on the driving goroutine once the operation has
// finished (nil when there is nothing to run).
//
// The work runs as a turn of its own, under the execution's limits. To throw
// an exception the script did not catch (a script callback's error, say), it
// panics with the *goja.Exception: the exception goes to Host.Uncaught and the
// execution goes on. Any other panic ends the execution with a *PanicError.
//
// The returned function is safe for concurrent use; only its first call
// counts. It reports whether the work was accepted: false means the execution
// is over and the work was dropped.
func (r *Runtime) Pending() func(func()) bool {
	return r.loop.register()
}

// Do runs fn as one turn of JavaScript under the execution's limits. It
// returns fn's error, except that an interrupted or overflowing script is
// reported as the limit it hit, and a Go panic as a *PanicError. A
// *goja.Exception means the script threw and nothing caught it; the execution
// goes on.
func (r *Runtime) Do(fn func(vm *goja.Runtime) error) error {
	if !r.running {
		return ErrNotRunning
	}
	if err := r.wd.enter(); err != nil {
		return err
	}
	ferr := r.call(fn)
	werr := r.wd.exit()
	if len(r.rejected) > 0 && werr == nil {
		r.reportUnhandled()
	}
	if ferr == nil && werr == nil {
		return nil
	}
	var (
		interrupted *goja.InterruptedError
		overflow    *goja.StackOverflowError
		panicked    *PanicError
	)
	switch {
	case werr != nil:
		if errors.As(ferr, &panicked) {
			r.broken = true
			return ferr
		}
		return werr
	case errors.As(ferr, &interrupted):
		// Interrupted by someone other than the watchdog.
		r.Stop(ErrStopped)
		return ErrStopped
	case errors.As(ferr, &overflow):
		err := stackLimitError(r.depth)
		r.Stop(err)
		return err
	case errors.As(ferr, &panicked):
		r.broken = true
		r.Stop(ferr)
		return ferr
	}
	return ferr
}

// call runs fn and turns a Go panic into a *PanicError.
func (r *Runtime) call(fn func(vm *goja.Runtime) error) (err error) {
	defer func() {
		if p := recover(); p != nil {
			stack := debug.Stack()
			if len(stack) > 64<<10 {
				stack = stack[:64<<10]
			}
			err = &PanicError{Value: p, Stack: stack}
		}
	}()
	return fn(r.vm)
}

// Wait drives the event loop until done returns true, running due timers,
// completed operations and immediates, each as its own turn. It returns nil
// once done is true, ErrIdle when nothing is left to run, or the error that
// ended the execution. A nil done waits until the loop is idle.
func (r *Runtime) Wait(done func() bool) error {
	if !r.running {
		return ErrNotRunning
	}
	l := &r.loop
	for {
		if err := r.wd.err(); err != nil {
			return err
		}
		if done != nil && done() {
			return nil
		}
		ran, err := r.runReady(done)
		if err != nil {
			return err
		}
		if ran {
			continue
		}
		if !l.alive() {
			return ErrIdle
		}
		if l.armWake() {
			continue
		}
		ctxDone, stop := r.wd.done()
		select {
		case <-l.wakeCh:
		case <-ctxDone:
		case <-stop:
		}
	}
}

// runReady runs what is ready in Node's order: due timers, then completed
// operations, then immediates queued before this pass. It stops early once
// done is true.
func (r *Runtime) runReady(done func() bool) (ran bool, err error) {
	l := &r.loop
	finished := func() bool { return done != nil && done() }
	now := l.clock.Now()
	for t := l.dueTimer(now); t != nil; t = l.dueTimer(now) {
		ran = true
		if t.interval > 0 && !t.cleared {
			t.when = l.clock.Now().Add(t.interval)
		} else {
			delete(l.byID, t.id)
			if t.ref {
				l.refs--
			}
			t.cleared = true
		}
		if err := r.runCallback(t.fn, t.args); err != nil {
			return ran, err
		}
		if t.interval > 0 && !t.cleared && t.index < 0 {
			heap.Push(&l.timers, t)
		}
		if finished() {
			return ran, nil
		}
	}
	jobs := l.takeJobs()
	for i, job := range jobs {
		ran = true
		if err := r.runJob(job); err != nil {
			return ran, err
		}
		if finished() {
			l.requeueJobs(jobs[i+1:])
			return ran, nil
		}
	}
	if n := len(l.immediates); n > 0 {
		batch := slices.Clone(l.immediates[:n])
		l.immediates = append(l.immediates[:0], l.immediates[n:]...)
		for i, t := range batch {
			if t.cleared {
				continue
			}
			ran = true
			delete(l.byID, t.id)
			if t.ref {
				l.refs--
			}
			t.cleared = true
			if err := r.runCallback(t.fn, t.args); err != nil {
				return ran, err
			}
			if finished() {
				// The rest of the batch stays first in line for the next pass.
				l.immediates = slices.Insert(l.immediates, 0, batch[i+1:]...)
				return ran, nil
			}
		}
	}
	return ran, nil
}

func (r *Runtime) runCallback(fn goja.Callable, args []goja.Value) error {
	return r.runJob(func() {
		_, err := fn(goja.Undefined(), args...)
		if err != nil {
			panic(errCallback{err})
		}
	})
}

// errCallback carries a callback's error out of a job.
type errCallback struct{ err error }

// runJob runs job as a turn; an exception it lets escape goes to the host.
// A completion throws by panicking with a *goja.Exception.
func (r *Runtime) runJob(job func()) error {
	err := r.Do(func(*goja.Runtime) (err error) {
		defer func() {
			if p := recover(); p != nil {
				switch e := p.(type) {
				case errCallback:
					err = e.err
					return
				case *goja.Exception:
					err = e
					return
				}
				panic(p)
			}
		}()
		job()
		return nil
	})
	var exc *goja.Exception
	if errors.As(err, &exc) {
		r.host.Uncaught(exc)
		return nil
	}
	return err
}

func (r *Runtime) trackRejection(p *goja.Promise, op goja.PromiseRejectionOperation) {
	switch op {
	case goja.PromiseRejectionReject:
		r.rejected = append(r.rejected, p)
	case goja.PromiseRejectionHandle:
		if i := slices.Index(r.rejected, p); i >= 0 {
			r.rejected = slices.Delete(r.rejected, i, i+1)
		}
	}
}

func (r *Runtime) reportUnhandled() {
	for len(r.rejected) > 0 {
		p := r.rejected[0]
		r.rejected = r.rejected[1:]
		r.host.Unhandled(p.Result())
	}
	r.rejected = r.rejected[:0]
}

// Usage reports what the current execution has used so far, the turn in
// progress included. It is safe for concurrent use.
func (r *Runtime) Usage() Usage { return r.wd.usage() }

// Busy reports whether the current execution still has something scheduled:
// a referenced timer or immediate, or a pending operation.
func (r *Runtime) Busy() bool { return r.loop.alive() }

// RequireFunction returns the runtime's require function, for module
// wrappers that pass it as a parameter.
func (r *Runtime) RequireFunction() goja.Value { return r.requireFn }
