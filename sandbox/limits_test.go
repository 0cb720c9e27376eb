package sandbox_test

import (
	"context"
	"errors"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dop251/goja"

	"github.com/hookengine/hookengine/enginetest"
	"github.com/hookengine/hookengine/sandbox"
)

// Time-based assertions below use margins meant for a loaded two-core
// machine running the race detector. They still fail if a limit is ignored:
// the scripts would otherwise run for seconds or forever.

func TestCPUTimeLimit(t *testing.T) {
	const limit = 100 * time.Millisecond
	tests := []struct {
		desc string
		src  string
		wait bool // the loop runs in a callback: drive the event loop
	}{
		{desc: "infinite loop in the first turn", src: `for (;;) {}`},
		{desc: "infinite loop in a promise reaction", src: `Promise.resolve().then(() => { for (;;) {} })`},
		{desc: "infinite loop in a timer", src: `setTimeout(() => { for (;;) {} }, 1)`, wait: true},
		{
			desc: "the budget is shared by every turn",
			src:  `setInterval(() => { const end = Date.now() + 20; while (Date.now() < end) {} }, 1)`,
			wait: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			rt := newRuntime(t, nil)
			begin(t, rt, context.Background(), sandbox.Limits{WallTime: 30 * time.Second, CPUTime: limit}, nil)
			start := time.Now()
			_, err := run(rt, tt.src)
			if tt.wait && err == nil {
				err = rt.Wait(nil)
			}
			took := time.Since(start)
			u := rt.End()
			if !errors.Is(err, sandbox.ErrCPUTimeExceeded) {
				t.Fatalf("got error %v, want ErrCPUTimeExceeded", err)
			}
			if got, want := limitOf(t, err), "100ms"; got != want {
				t.Errorf("got limit %q, want %q", got, want)
			}
			if !errors.Is(u.Err, sandbox.ErrCPUTimeExceeded) {
				t.Errorf("Usage.Err: got %v, want ErrCPUTimeExceeded", u.Err)
			}
			if u.CPUTime < limit || u.CPUTime > limit+50*time.Millisecond {
				t.Errorf("Usage.CPUTime: got %v, want within [%v, %v]", u.CPUTime, limit, limit+50*time.Millisecond)
			}
			if took < limit {
				t.Errorf("real time until stopped: got %v, want at least the %v budget", took, limit)
			}
			if rt.Reusable() {
				t.Errorf("Reusable after a limit: got true, want false")
			}
		})
	}
}

func TestWaitingCostsNoCPUTime(t *testing.T) {
	// Real time, briefly: a script sleeping on a timer past its CPU budget is
	// not stopped.
	const budget = 50 * time.Millisecond
	rt := newRuntime(t, nil)
	h := &recorder{}
	begin(t, rt, context.Background(), sandbox.Limits{WallTime: 10 * time.Second, CPUTime: budget}, h)
	start := time.Now()
	mustRun(t, rt, `setTimeout(() => console.log('woke up'), 150)`)
	err := rt.Wait(nil)
	took := time.Since(start)
	u := rt.End()
	if !errors.Is(err, sandbox.ErrIdle) {
		t.Fatalf("Wait: got %v, want ErrIdle", err)
	}
	if u.Err != nil {
		t.Errorf("Usage.Err: got %v, want nil", u.Err)
	}
	if got, want := h.lines(), []string{"info: woke up"}; len(got) != 1 || got[0] != want[0] {
		t.Errorf("got console %q, want %q", got, want)
	}
	if took < 150*time.Millisecond {
		t.Errorf("Wait returned after: got %v, want at least 150ms", took)
	}
	if u.CPUTime >= budget {
		t.Errorf("Usage.CPUTime: got %v, want less than the %v budget", u.CPUTime, budget)
	}
	if !rt.Reusable() {
		t.Errorf("Reusable: got false, want true")
	}
}

func TestBlockedTurnsCostNoCPUTime(t *testing.T) {
	// Real time, briefly: turns whose thread is off the CPU (here blocked in
	// a host call; in production also descheduled, or the process stopped)
	// are charged the CPU time the thread used, not the time they took.
	// Each turn is shorter than the watchdog's first look, so charging
	// turns at wall-clock time would exceed the budget.
	if runtime.GOOS != "linux" {
		t.Skip("the thread's CPU clock is read on Linux only")
	}
	const budget = 20 * time.Millisecond
	rt := newRuntime(t, nil)
	begin(t, rt, context.Background(), sandbox.Limits{WallTime: 10 * time.Second, CPUTime: budget}, nil)
	var blocked time.Duration
	for blocked < 3*budget {
		start := time.Now()
		err := rt.Do(func(*goja.Runtime) error {
			time.Sleep(500 * time.Microsecond) // over shortTurn, under the first look
			return nil
		})
		if err != nil {
			t.Fatalf("turn after %v blocked: got error %v, want nil", blocked, err)
		}
		blocked += time.Since(start)
	}
	if u := rt.End(); u.Err != nil || u.CPUTime >= budget {
		t.Errorf("after %v blocked in turns: got CPU time %v and error %v, want under %v and nil", blocked, u.CPUTime, u.Err, budget)
	}
}

func TestUsageReportsCPUTime(t *testing.T) {
	rt := newRuntime(t, nil)
	begin(t, rt, context.Background(), sandbox.Limits{WallTime: 10 * time.Second, CPUTime: 5 * time.Second}, nil)
	start := time.Now()
	mustRun(t, rt, `const end = Date.now() + 50; while (Date.now() < end) {}`)
	took := time.Since(start)
	if got := rt.Usage().CPUTime; got < 5*time.Millisecond || got > took+5*time.Millisecond {
		t.Errorf("Usage.CPUTime after a 50ms busy turn: got %v, want between 5ms and the %v it took", got, took)
	}
	u := rt.End()
	if u.CPUTime < 5*time.Millisecond {
		t.Errorf("End's Usage.CPUTime: got %v, want at least 5ms", u.CPUTime)
	}
	// Date.now() has millisecond steps: the loop may end up to 1ms early.
	if u.WallTime < 49*time.Millisecond {
		t.Errorf("End's Usage.WallTime: got %v, want at least 49ms", u.WallTime)
	}
}

func TestWallTimeLimit(t *testing.T) {
	t.Run("a script timer past the limit", func(t *testing.T) {
		rt, clk := newVirtual(t)
		h := &recorder{}
		begin(t, rt, context.Background(), sandbox.Limits{WallTime: time.Second, CPUTime: time.Second}, h)
		mustRun(t, rt, `setTimeout(() => console.log('too late'), 5000); setTimeout(() => console.log('in time'), 999);`)
		err := waitVirtual(rt, clk, nil)
		u := rt.End()
		if !errors.Is(err, sandbox.ErrWallTimeExceeded) {
			t.Fatalf("Wait: got %v, want ErrWallTimeExceeded", err)
		}
		if got, want := limitOf(t, err), "1s"; got != want {
			t.Errorf("got limit %q, want %q", got, want)
		}
		if got, want := h.lines(), []string{"info: in time"}; len(got) != 1 || got[0] != want[0] {
			t.Errorf("got console %q, want %q", got, want)
		}
		// The stepper may move the clock one more millisecond after Wait.
		if u.WallTime < time.Second || u.WallTime > time.Second+2*time.Millisecond {
			t.Errorf("Usage.WallTime: got %v, want 1s on the virtual clock", u.WallTime)
		}
		if rt.Reusable() {
			t.Errorf("Reusable after a limit: got true, want false")
		}
		if got := clk.Timers(); got != 0 {
			t.Errorf("clock timers after End: got %d, want 0", got)
		}
	})

	t.Run("a running script is interrupted", func(t *testing.T) {
		rt, clk := newVirtual(t)
		begin(t, rt, context.Background(), sandbox.Limits{WallTime: time.Second, CPUTime: time.Minute}, nil)
		started := make(chan struct{})
		var once sync.Once
		start := func() { once.Do(func() { close(started) }) }
		var wg sync.WaitGroup
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-started
			clk.Advance(time.Second)
		}()
		defer wg.Wait()
		defer start() // in case the script never got to it
		err := rt.Do(func(vm *goja.Runtime) error {
			_ = vm.Set("started", start)
			_, err := vm.RunString(`started(); for (;;) {}`)
			return err
		})
		if !errors.Is(err, sandbox.ErrWallTimeExceeded) {
			t.Fatalf("Do: got %v, want ErrWallTimeExceeded", err)
		}
	})
}

func TestStackDepthLimit(t *testing.T) {
	tests := []struct {
		desc      string
		cfgDepth  int
		limDepth  int
		src       string
		wantLimit string // "" for no error
	}{
		{desc: "recursion within the limit", limDepth: 100, src: `function f(n) { return n ? f(n - 1) : 0 } f(50)`},
		{desc: "recursion past the limit", limDepth: 100, src: `function f(n) { return n ? f(n - 1) : 0 } f(200)`, wantLimit: "100 calls"},
		{desc: "unbounded recursion", src: `function f() { return f() } f()`, wantLimit: "4096 calls"},
		{desc: "the Config's default depth", cfgDepth: 300, src: `function f(n) { return n ? f(n - 1) : 0 } f(1000)`, wantLimit: "300 calls"},
		{desc: "the Config's default allows what it should", cfgDepth: 300, src: `function f(n) { return n ? f(n - 1) : 0 } f(250)`},
		{desc: "a try/catch does not swallow it", src: `function f() { return f() } try { f() } catch (e) {} 'caught'`, wantLimit: "4096 calls"},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			rt := newRuntime(t, &sandbox.Config{StackDepth: tt.cfgDepth})
			begin(t, rt, context.Background(), sandbox.Limits{WallTime: 30 * time.Second, CPUTime: 10 * time.Second, StackDepth: tt.limDepth}, nil)
			_, err := run(rt, tt.src)
			rt.End()
			if tt.wantLimit == "" {
				if err != nil {
					t.Fatalf("got error %v, want nil", err)
				}
				if !rt.Reusable() {
					t.Errorf("Reusable: got false, want true")
				}
				return
			}
			if !errors.Is(err, sandbox.ErrStackDepthExceeded) {
				t.Fatalf("got error %v, want ErrStackDepthExceeded", err)
			}
			if got := limitOf(t, err); got != tt.wantLimit {
				t.Errorf("got limit %q, want %q", got, tt.wantLimit)
			}
			if rt.Reusable() {
				t.Errorf("Reusable after a limit: got true, want false")
			}
		})
	}
}

func TestStackDepthPerExecution(t *testing.T) {
	// An execution's own depth applies to it only; the next one with no
	// depth of its own is back to the runtime's default.
	rt := newRuntime(t, &sandbox.Config{StackDepth: 500})
	const src = `function f(n) { return n ? f(n - 1) : 0 } f(300)`
	begin(t, rt, context.Background(), sandbox.Limits{StackDepth: 1000}, nil)
	if _, err := run(rt, `function g(n) { return n ? g(n - 1) : 0 } g(700)`); err != nil {
		t.Fatalf("depth 1000: got %v, want nil", err)
	}
	rt.End()
	begin(t, rt, context.Background(), sandbox.Limits{StackDepth: 100}, nil)
	if _, err := run(rt, src); !errors.Is(err, sandbox.ErrStackDepthExceeded) {
		t.Fatalf("depth 100: got %v, want ErrStackDepthExceeded", err)
	}
	rt.End()
	rt = newRuntime(t, &sandbox.Config{StackDepth: 500})
	begin(t, rt, context.Background(), sandbox.Limits{StackDepth: 100}, nil)
	rt.End()
	begin(t, rt, context.Background(), sandbox.Limits{}, nil)
	if _, err := run(rt, src); err != nil {
		t.Fatalf("default depth 500 after an execution with 100: got %v, want nil", err)
	}
}

// busyUntilStopped runs an infinite loop and returns its error and how long
// after trigger was called the loop stopped.
func busyUntilStopped(t *testing.T, rt *sandbox.Runtime, trigger func()) (error, time.Duration) {
	t.Helper()
	var fired atomic.Int64
	started := make(chan struct{})
	var once sync.Once
	start := func() { once.Do(func() { close(started) }) }
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		<-started
		fired.Store(time.Now().UnixNano())
		trigger()
	}()
	err := rt.Do(func(vm *goja.Runtime) error {
		_ = vm.Set("started", start)
		_, err := vm.RunString(`started(); for (;;) {}`)
		return err
	})
	stopped := time.Now()
	start() // in case the script never got to it
	wg.Wait()
	latency := stopped.Sub(time.Unix(0, fired.Load()))
	t.Logf("stopped %v after the trigger", latency)
	return err, latency
}

// stopLatency is how soon a busy script must stop once asked to. The
// watchdog looks every millisecond; the rest is room for a loaded machine,
// far below the 10s CPU budget the script would otherwise use.
const stopLatency = 100 * time.Millisecond

func TestContextCancellation(t *testing.T) {
	t.Run("stops a busy loop", func(t *testing.T) {
		rt := newRuntime(t, nil)
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		begin(t, rt, ctx, roomy, nil)
		err, latency := busyUntilStopped(t, rt, cancel)
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("got %v, want an error wrapping context.Canceled", err)
		}
		var ce *sandbox.CanceledError
		if !errors.As(err, &ce) {
			t.Errorf("got %T, want *sandbox.CanceledError", err)
		}
		if latency > stopLatency {
			t.Errorf("stop latency after cancel: got %v, want within %v", latency, stopLatency)
		}
		if u := rt.End(); !errors.Is(u.Err, context.Canceled) {
			t.Errorf("Usage.Err: got %v, want context.Canceled", u.Err)
		}
		if rt.Reusable() {
			t.Errorf("Reusable after cancellation: got true, want false")
		}
	})

	t.Run("a deadline stops a busy loop", func(t *testing.T) {
		rt := newRuntime(t, nil)
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
		defer cancel()
		begin(t, rt, ctx, roomy, nil)
		_, err := run(rt, `for (;;) {}`)
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("got %v, want an error wrapping context.DeadlineExceeded", err)
		}
	})

	t.Run("stops a wait", func(t *testing.T) {
		rt := newRuntime(t, nil)
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		begin(t, rt, ctx, roomy, nil)
		mustRun(t, rt, `setTimeout(() => {}, 60000)`)
		timer := time.AfterFunc(10*time.Millisecond, cancel)
		defer timer.Stop()
		start := time.Now()
		err := rt.Wait(nil)
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("Wait: got %v, want an error wrapping context.Canceled", err)
		}
		if took := time.Since(start); took > 10*time.Millisecond+stopLatency {
			t.Errorf("Wait returned after: got %v, want soon after the cancel at 10ms", took)
		}
	})

	t.Run("a context cancelled before Begin runs nothing", func(t *testing.T) {
		rt := newRuntime(t, nil)
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		begin(t, rt, ctx, roomy, nil)
		ran := false
		err := rt.Do(func(*goja.Runtime) error { ran = true; return nil })
		if !errors.Is(err, context.Canceled) {
			t.Errorf("Do: got %v, want an error wrapping context.Canceled", err)
		}
		if ran {
			t.Errorf("Do: got its function run, want it refused")
		}
	})

	t.Run("a detached execution outlives its context", func(t *testing.T) {
		rt, clk := newVirtual(t)
		ctx, cancel := context.WithCancel(context.Background())
		begin(t, rt, ctx, roomy, nil)
		mustRun(t, rt, outPrelude+`setTimeout(() => logAt('after'), 10)`)
		rt.Detach()
		cancel()
		if err := waitVirtual(rt, clk, nil); !errors.Is(err, sandbox.ErrIdle) {
			t.Fatalf("Wait after Detach and cancel: got %v, want ErrIdle", err)
		}
		if got := jsOut(t, rt); got != "after@10" {
			t.Errorf("got out %q, want %q", got, "after@10")
		}
		if u := rt.End(); u.Err != nil {
			t.Errorf("Usage.Err: got %v, want nil", u.Err)
		}
	})
}

func TestStop(t *testing.T) {
	t.Run("Config.Stop stops a busy loop", func(t *testing.T) {
		stop := make(chan struct{})
		rt := newRuntime(t, &sandbox.Config{Stop: stop})
		begin(t, rt, context.Background(), roomy, nil)
		err, latency := busyUntilStopped(t, rt, func() { close(stop) })
		if !errors.Is(err, sandbox.ErrStopped) {
			t.Fatalf("got %v, want ErrStopped", err)
		}
		if latency > stopLatency {
			t.Errorf("stop latency after closing Stop: got %v, want within %v", latency, stopLatency)
		}
		if rt.End(); rt.Reusable() {
			t.Errorf("Reusable after Stop: got true, want false")
		}
	})

	t.Run("Config.Stop stops a wait and every later execution", func(t *testing.T) {
		stop := make(chan struct{})
		rt := newRuntime(t, &sandbox.Config{Stop: stop})
		begin(t, rt, context.Background(), roomy, nil)
		mustRun(t, rt, `setTimeout(() => {}, 60000)`)
		timer := time.AfterFunc(10*time.Millisecond, func() { close(stop) })
		defer timer.Stop()
		if err := rt.Wait(nil); !errors.Is(err, sandbox.ErrStopped) {
			t.Fatalf("Wait: got %v, want ErrStopped", err)
		}
		rt.End()
		other := newRuntime(t, &sandbox.Config{Stop: stop})
		begin(t, other, context.Background(), roomy, nil)
		if _, err := run(other, `1`); !errors.Is(err, sandbox.ErrStopped) {
			t.Errorf("Do on another runtime of the stopped Config: got %v, want ErrStopped", err)
		}
	})

	t.Run("Runtime.Stop from another goroutine", func(t *testing.T) {
		errShutdown := errors.New("shutting down")
		rt := newRuntime(t, nil)
		begin(t, rt, context.Background(), roomy, nil)
		err, latency := busyUntilStopped(t, rt, func() { rt.Stop(errShutdown) })
		if !errors.Is(err, errShutdown) {
			t.Fatalf("got %v, want %v", err, errShutdown)
		}
		if latency > stopLatency {
			t.Errorf("stop latency after Runtime.Stop: got %v, want within %v", latency, stopLatency)
		}
		if got := rt.Err(); !errors.Is(got, errShutdown) {
			t.Errorf("Err: got %v, want %v", got, errShutdown)
		}
	})
}

func TestReuse(t *testing.T) {
	rt := newRuntime(t, nil)
	begin(t, rt, context.Background(), roomy, nil)
	mustRun(t, rt, `var kept = 'from the first execution'`)
	if u := rt.End(); u.Err != nil {
		t.Fatalf("first execution: got Usage.Err %v, want nil", u.Err)
	}
	if !rt.Reusable() {
		t.Fatalf("Reusable after a clean execution: got false, want true")
	}
	begin(t, rt, context.Background(), roomy, nil)
	if got, want := eval(t, rt, `kept`), "from the first execution"; got != want {
		t.Errorf("global in the second execution: got %q, want %q", got, want)
	}
	if got := rt.Err(); got != nil {
		t.Errorf("Err: got %v, want nil", got)
	}
}

func TestOutsideAnExecution(t *testing.T) {
	rt := newRuntime(t, nil)
	if err := rt.Do(func(*goja.Runtime) error { return nil }); !errors.Is(err, sandbox.ErrNotRunning) {
		t.Errorf("Do before Begin: got %v, want ErrNotRunning", err)
	}
	if err := rt.Wait(nil); !errors.Is(err, sandbox.ErrNotRunning) {
		t.Errorf("Wait before Begin: got %v, want ErrNotRunning", err)
	}
	if err := rt.Err(); !errors.Is(err, sandbox.ErrNotRunning) {
		t.Errorf("Err before Begin: got %v, want ErrNotRunning", err)
	}
}

func TestPanicInHostFunction(t *testing.T) {
	rt := newRuntime(t, nil)
	begin(t, rt, context.Background(), roomy, nil)
	err := rt.Do(func(vm *goja.Runtime) error {
		_ = vm.Set("explode", func() { panic("kaboom") })
		_, err := vm.RunString(`explode()`)
		return err
	})
	var pe *sandbox.PanicError
	if !errors.As(err, &pe) {
		t.Fatalf("got %v (%T), want *sandbox.PanicError", err, err)
	}
	if pe.Value != "kaboom" || len(pe.Stack) == 0 {
		t.Errorf("got PanicError{Value: %v, %d bytes of stack}, want kaboom with a stack", pe.Value, len(pe.Stack))
	}
	if rt.Reusable() {
		t.Errorf("Reusable after a panic: got true, want false")
	}
}

// recordingClock is a virtual clock that remembers every callback scheduled
// on it, so a test can run one late, as a timer that fired just as it was
// stopped would.
type recordingClock struct {
	*enginetest.Clock
	mu  sync.Mutex
	fns []func()
}

func (c *recordingClock) AfterFunc(d time.Duration, f func()) sandbox.Timer {
	c.mu.Lock()
	c.fns = append(c.fns, f)
	c.mu.Unlock()
	return c.Clock.AfterFunc(d, f)
}

func TestLateWallTimeCallback(t *testing.T) {
	for _, next := range []time.Duration{0, 10 * time.Second} {
		t.Run("next execution's wall time "+next.String(), func(t *testing.T) {
			clk := &recordingClock{Clock: enginetest.NewClock(epoch)}
			rt := newRuntime(t, &sandbox.Config{Clock: clk})
			begin(t, rt, context.Background(), sandbox.Limits{WallTime: time.Second}, nil)
			rt.End()
			clk.Advance(2 * time.Second) // past the first execution's deadline
			begin(t, rt, context.Background(), sandbox.Limits{WallTime: next}, nil)
			clk.mu.Lock()
			late := slices.Clone(clk.fns)
			clk.mu.Unlock()
			for _, f := range late {
				f()
			}
			if _, err := run(rt, `1`); err != nil {
				t.Errorf("Do after a late callback: got %v, want nil", err)
			}
			if u := rt.End(); u.Err != nil {
				t.Errorf("Usage.Err: got %v, want nil", u.Err)
			}
		})
	}
}
