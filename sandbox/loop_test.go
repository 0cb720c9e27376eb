package sandbox_test

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/dop251/goja"

	"github.com/hookengine/hookengine/sandbox"
)

func TestEventLoopOrder(t *testing.T) {
	tests := []struct {
		desc string
		src  string
		want string // out, joined with commas
	}{
		{
			desc: "sync code, then microtasks and ticks in queue order, then immediates, then timers",
			src: `
				setTimeout(() => logAt('timeout'), 0);
				setImmediate(() => log('immediate'));
				process.nextTick(() => log('tick'));
				Promise.resolve().then(() => log('promise'));
				queueMicrotask(() => log('microtask'));
				log('sync');`,
			want: "sync,tick,promise,microtask,immediate,timeout@1",
		},
		{
			desc: "timers with equal delays run in the order they were set",
			src: `
				setTimeout(() => logAt('a'), 10);
				setTimeout(() => logAt('b'), 10);
				setTimeout(() => logAt('c'), 10);`,
			want: "a@10,b@10,c@10",
		},
		{
			desc: "timers with different delays run in deadline order",
			src: `
				setTimeout(() => logAt('c'), 30);
				setTimeout(() => logAt('a'), 10);
				setTimeout(() => logAt('b'), 20);`,
			want: "a@10,b@20,c@30",
		},
		{
			desc: "microtasks queued by a timer run before the next timer",
			src: `
				setTimeout(() => { logAt('t1'); Promise.resolve().then(() => log('micro')); process.nextTick(() => log('tick')); }, 5);
				setTimeout(() => logAt('t2'), 5);`,
			want: "t1@5,micro,tick,t2@5",
		},
		{
			desc: "an immediate queued by a timer runs after the timers due with it",
			src: `
				setTimeout(() => { logAt('t1'); setImmediate(() => logAt('imm')); }, 5);
				setTimeout(() => logAt('t2'), 5);
				setTimeout(() => logAt('t3'), 6);`,
			want: "t1@5,t2@5,imm@5,t3@6",
		},
		{
			desc: "an immediate queued by an immediate runs on the next pass",
			src: `
				setImmediate(() => { log('i1'); setImmediate(() => log('i3')); });
				setImmediate(() => log('i2'));`,
			want: "i1,i2,i3",
		},
		{
			desc: "an interval cleared after three runs",
			src: `
				let n = 0;
				const iv = setInterval(() => { logAt('iv' + (++n)); if (n === 3) clearInterval(iv); }, 10);`,
			want: "iv1@10,iv2@20,iv3@30",
		},
		{
			desc: "an interval with a zero delay repeats every millisecond",
			src: `
				let n = 0;
				const iv = setInterval(() => { logAt('iv'); if (++n === 3) iv.close(); }, 0);`,
			want: "iv@1,iv@2,iv@3",
		},
		{
			desc: "clearTimeout of a pending timer, by object and by id",
			src: `
				const a = setTimeout(() => logAt('a'), 10);
				const b = setTimeout(() => logAt('b'), 10);
				setTimeout(() => logAt('c'), 20);
				clearTimeout(a);
				setTimeout(() => clearTimeout(+b), 5);`,
			want: "c@20",
		},
		{
			desc: "clearImmediate and clearing a timer from an earlier timer",
			src: `
				const i = setImmediate(() => log('immediate'));
				clearImmediate(i);
				let later;
				setTimeout(() => { logAt('first'); clearTimeout(later); }, 5);
				later = setTimeout(() => logAt('later'), 10);
				clearTimeout(undefined); clearTimeout(null); clearTimeout(12345); clearTimeout({});`,
			want: "first@5",
		},
		{
			desc: "an unref'd timer runs while a referenced one keeps the loop alive",
			src: `
				setTimeout(() => logAt('unref'), 10).unref();
				setTimeout(() => logAt('ref'), 20);`,
			want: "unref@10,ref@20",
		},
		{
			desc: "ref after unref keeps the loop alive again",
			src: `
				const t = setTimeout(() => logAt('t'), 10);
				log(t.hasRef());
				t.unref();
				log(t.hasRef());
				t.ref();
				log(t.hasRef());`,
			want: "true,false,true,t@10",
		},
		{
			desc: "refresh restarts a pending timer with its delay",
			src: `
				const t = setTimeout(() => logAt('t'), 10);
				setTimeout(() => t.refresh(), 6);`,
			want: "t@16",
		},
		{
			desc: "callbacks receive the extra arguments",
			src: `
				setTimeout((a, b) => logAt(a + b), 2, 'x', 'y');
				setImmediate((a) => log(a), 'imm');
				process.nextTick((a, b) => log(a + b), 'ti', 'ck');`,
			want: "tick,imm,xy@2",
		},
		{
			desc: "a timer converts to its numeric id",
			src: `
				const a = setTimeout(() => {}, 1), b = setTimeout(() => {}, 1);
				log(typeof +a === 'number' && +a > 0 && +b === +a + 1 && String(a) === String(+a));`,
			want: "true",
		},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			rt, clk := newVirtual(t)
			begin(t, rt, context.Background(), roomy, nil)
			mustRun(t, rt, outPrelude+tt.src)
			if err := waitVirtual(rt, clk, nil); !errors.Is(err, sandbox.ErrIdle) {
				t.Fatalf("Wait: got %v, want ErrIdle", err)
			}
			if got := jsOut(t, rt); got != tt.want {
				t.Errorf("got order %q, want %q", got, tt.want)
			}
		})
	}
}

func TestUnrefTimerLetsWaitReturnIdle(t *testing.T) {
	rt, clk := newVirtual(t)
	begin(t, rt, context.Background(), roomy, nil)
	mustRun(t, rt, outPrelude+`
		setTimeout(() => log('unref timer'), 10).unref();
		setInterval(() => log('unref interval'), 10).unref();`)
	if got := rt.Busy(); got {
		t.Errorf("Busy: got %v, want false", got)
	}
	// The loop must not wait for the clock: no stepper here.
	if err := rt.Wait(nil); !errors.Is(err, sandbox.ErrIdle) {
		t.Fatalf("Wait: got %v, want ErrIdle", err)
	}
	if got := jsOut(t, rt); got != "" {
		t.Errorf("got out %q, want nothing run", got)
	}
	if got := elapsed(clk); got != 0 {
		t.Errorf("got virtual time %v, want 0", got)
	}
}

func TestTimerCallbackValidation(t *testing.T) {
	tests := []struct {
		desc string
		call string
	}{
		{"setTimeout with a string", `setTimeout('log(1)', 1)`},
		{"setTimeout without arguments", `setTimeout()`},
		{"setInterval with null", `setInterval(null, 1)`},
		{"setImmediate with a number", `setImmediate(42)`},
		{"setTimeout with an object", `setTimeout({}, 1)`},
		{"queueMicrotask with a string", `queueMicrotask('x')`},
		{"process.nextTick with undefined", `process.nextTick(undefined)`},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			rt, _ := newVirtual(t)
			begin(t, rt, context.Background(), roomy, nil)
			got := eval(t, rt, `try { `+tt.call+`; 'no error' } catch (e) { (e instanceof TypeError) + ' ' + e.code + ' ' + /must be of type function/.test(e.message) }`)
			if want := "true ERR_INVALID_ARG_TYPE true"; got != want {
				t.Errorf("got %q, want %q", got, want)
			}
			if rt.Busy() {
				t.Errorf("Busy: got true, want false (nothing scheduled)")
			}
		})
	}
}

func TestTimerDelays(t *testing.T) {
	tests := []struct {
		delay  string
		wantMS int
	}{
		{"0", 1},
		{"-5", 1},
		{"NaN", 1},
		{"undefined", 1},
		{"null", 1},
		{"'soon'", 1},
		{"0.5", 1},
		{"Infinity", 1},
		{"2 ** 31", 1}, // beyond Node's TIMEOUT_MAX
		{"1", 1},
		{"'7'", 7},
		{"12", 12},
	}
	for _, tt := range tests {
		t.Run("delay "+tt.delay, func(t *testing.T) {
			rt, clk := newVirtual(t)
			begin(t, rt, context.Background(), roomy, nil)
			mustRun(t, rt, outPrelude+`setTimeout(() => out.push(Date.now() - t0), `+tt.delay+`);`)
			if err := waitVirtual(rt, clk, nil); !errors.Is(err, sandbox.ErrIdle) {
				t.Fatalf("Wait: got %v, want ErrIdle", err)
			}
			if got, want := jsOut(t, rt), strconv.Itoa(tt.wantMS); got != want {
				t.Errorf("timer fired at %s ms, want %s ms", got, want)
			}
		})
	}
}

// TestWaitStopsEarlyKeepsTheRest checks that when Wait returns because done
// became true in the middle of a batch of immediates or completions, the rest
// of the batch still runs on the next Wait.
func TestWaitStopsEarlyKeepsTheRest(t *testing.T) {
	t.Run("immediates", func(t *testing.T) {
		// The system clock: without the fix the second Wait blocks until the
		// wall-time limit instead of hanging the test on a virtual clock.
		rt := newRuntime(t, nil)
		h := &recorder{}
		begin(t, rt, context.Background(), sandbox.Limits{WallTime: 5 * time.Second}, h)
		mustRun(t, rt, `setImmediate(() => console.log('a')); setImmediate(() => console.log('b'));`)
		if err := rt.Wait(func() bool { return len(h.lines()) >= 1 }); err != nil {
			t.Fatalf("Wait(done): got %v, want nil", err)
		}
		if got, want := h.lines(), []string{"info: a"}; !slices.Equal(got, want) {
			t.Fatalf("after Wait(done): got %q, want %q", got, want)
		}
		if err := rt.Wait(nil); !errors.Is(err, sandbox.ErrIdle) {
			t.Fatalf("Wait(nil): got %v, want ErrIdle", err)
		}
		if got, want := h.lines(), []string{"info: a", "info: b"}; !slices.Equal(got, want) {
			t.Errorf("after Wait(nil): got %q, want %q", got, want)
		}
	})
	t.Run("completions", func(t *testing.T) {
		rt := newRuntime(t, nil)
		begin(t, rt, context.Background(), sandbox.Limits{WallTime: 5 * time.Second}, nil)
		var completes []func(func()) bool
		err := rt.Do(func(*goja.Runtime) error {
			completes = append(completes, rt.Pending(), rt.Pending())
			return nil
		})
		if err != nil {
			t.Fatalf("Do: got %v, want nil", err)
		}
		var ran []string
		for _, name := range []string{"first", "second"} {
			if !completes[0](func() { ran = append(ran, name) }) {
				t.Fatalf("completing %s: got refused, want accepted", name)
			}
			completes = completes[1:]
		}
		if err := rt.Wait(func() bool { return len(ran) >= 1 }); err != nil {
			t.Fatalf("Wait(done): got %v, want nil", err)
		}
		if err := rt.Wait(nil); !errors.Is(err, sandbox.ErrIdle) {
			t.Fatalf("Wait(nil): got %v, want ErrIdle", err)
		}
		if want := []string{"first", "second"}; !slices.Equal(ran, want) {
			t.Errorf("got completions %q run, want %q", ran, want)
		}
	})
}

func TestPending(t *testing.T) {
	// later(x) returns a promise that a goroutine resolves with x+1 once
	// release is closed.
	setup := func(t *testing.T, rt *sandbox.Runtime, release <-chan struct{}, wg *sync.WaitGroup, accepted chan<- bool) {
		t.Helper()
		err := rt.Do(func(vm *goja.Runtime) error {
			return vm.Set("later", func(x int) *goja.Promise {
				p, resolve, _ := vm.NewPromise()
				complete := rt.Pending()
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-release
					accepted <- complete(func() { _ = resolve(x + 1) })
				}()
				return p
			})
		})
		if err != nil {
			t.Fatalf("Do: got %v, want nil", err)
		}
	}

	t.Run("a goroutine's completion resolves a promise on the loop", func(t *testing.T) {
		rt := newRuntime(t, nil)
		begin(t, rt, context.Background(), roomy, nil)
		release := make(chan struct{})
		accepted := make(chan bool, 1)
		var (
			wg   sync.WaitGroup
			once sync.Once
		)
		defer func() {
			once.Do(func() { close(release) })
			wg.Wait()
		}()
		setup(t, rt, release, &wg, accepted)
		mustRun(t, rt, `var result = 'unset'; later(41).then((v) => { result = v; });`)
		if !rt.Busy() {
			t.Errorf("Busy before completion: got false, want true")
		}
		// Release the goroutine once the loop runs, so that it has to wait.
		err := rt.Wait(func() bool {
			once.Do(func() { close(release) })
			return false
		})
		if !errors.Is(err, sandbox.ErrIdle) {
			t.Fatalf("Wait: got %v, want ErrIdle", err)
		}
		if got := <-accepted; !got {
			t.Errorf("completion: got refused, want accepted")
		}
		if got := eval(t, rt, `String(result)`); got != "42" {
			t.Errorf("got result %q, want %q", got, "42")
		}
	})

	t.Run("the execution stays alive until the operation completes", func(t *testing.T) {
		rt := newRuntime(t, nil)
		begin(t, rt, context.Background(), roomy, nil)
		var complete func(func()) bool
		if err := rt.Do(func(*goja.Runtime) error { complete = rt.Pending(); return nil }); err != nil {
			t.Fatalf("Do: got %v, want nil", err)
		}
		if !rt.Busy() {
			t.Fatalf("Busy with a pending operation: got false, want true")
		}
		waited := make(chan error, 1)
		go func() { waited <- rt.Wait(nil) }()
		select {
		case err := <-waited:
			t.Fatalf("Wait before the operation completed: got %v, want it still waiting", err)
		case <-time.After(20 * time.Millisecond):
		}
		if !complete(nil) {
			t.Errorf("completion: got refused, want accepted")
		}
		if err := <-waited; !errors.Is(err, sandbox.ErrIdle) {
			t.Errorf("Wait: got %v, want ErrIdle", err)
		}
		if rt.Busy() {
			t.Errorf("Busy after completion: got true, want false")
		}
	})

	t.Run("only the first completion counts", func(t *testing.T) {
		rt := newRuntime(t, nil)
		begin(t, rt, context.Background(), roomy, nil)
		var complete func(func()) bool
		if err := rt.Do(func(*goja.Runtime) error { complete = rt.Pending(); return nil }); err != nil {
			t.Fatalf("Do: got %v, want nil", err)
		}
		var ran []string
		if !complete(func() { ran = append(ran, "first") }) {
			t.Errorf("first completion: got refused, want accepted")
		}
		if complete(func() { ran = append(ran, "second") }) {
			t.Errorf("second completion: got accepted, want refused")
		}
		if err := rt.Wait(nil); !errors.Is(err, sandbox.ErrIdle) {
			t.Fatalf("Wait: got %v, want ErrIdle", err)
		}
		if want := []string{"first"}; !slices.Equal(ran, want) {
			t.Errorf("got %q run, want %q", ran, want)
		}
	})

	t.Run("completion after End is refused and nothing runs", func(t *testing.T) {
		rt := newRuntime(t, nil)
		begin(t, rt, context.Background(), roomy, nil)
		var complete func(func()) bool
		if err := rt.Do(func(*goja.Runtime) error { complete = rt.Pending(); return nil }); err != nil {
			t.Fatalf("Do: got %v, want nil", err)
		}
		rt.End()
		ran := false
		done := make(chan bool)
		go func() { done <- complete(func() { ran = true }) }()
		if <-done {
			t.Errorf("completion after End: got accepted, want refused")
		}
		// A new execution must not pick up the old operation either.
		begin(t, rt, context.Background(), roomy, nil)
		if rt.Busy() {
			t.Errorf("Busy in the next execution: got true, want false")
		}
		if err := rt.Wait(nil); !errors.Is(err, sandbox.ErrIdle) {
			t.Errorf("Wait in the next execution: got %v, want ErrIdle", err)
		}
		if ran {
			t.Errorf("refused completion: got it run, want it dropped")
		}
	})

	t.Run("completion of an earlier execution is refused by the next one", func(t *testing.T) {
		rt := newRuntime(t, nil)
		begin(t, rt, context.Background(), roomy, nil)
		var complete func(func()) bool
		if err := rt.Do(func(*goja.Runtime) error { complete = rt.Pending(); return nil }); err != nil {
			t.Fatalf("Do: got %v, want nil", err)
		}
		rt.End()
		begin(t, rt, context.Background(), roomy, nil)
		ran := false
		if complete(func() { ran = true }) {
			t.Errorf("stale completion: got accepted, want refused")
		}
		if err := rt.Wait(nil); !errors.Is(err, sandbox.ErrIdle) {
			t.Errorf("Wait: got %v, want ErrIdle", err)
		}
		if ran {
			t.Errorf("stale completion: got it run, want it dropped")
		}
	})
}

func TestEndDropsScheduledWork(t *testing.T) {
	rt, clk := newVirtual(t)
	begin(t, rt, context.Background(), roomy, nil)
	var complete func(func()) bool
	err := rt.Do(func(vm *goja.Runtime) error {
		complete = rt.Pending()
		_, err := vm.RunString(outPrelude + `
			setTimeout(() => log('timeout'), 10);
			setInterval(() => log('interval'), 10);
			setImmediate(() => log('immediate'));`)
		return err
	})
	if err != nil {
		t.Fatalf("Do: got %v, want nil", err)
	}
	// Complete the operation once the loop waits for its timers, so that
	// Wait returns with its wake-up timer still armed.
	completed := false
	go func() {
		clk.BlockUntil(2)
		complete(func() { completed = true })
	}()
	if err := rt.Wait(func() bool { return completed }); err != nil {
		t.Fatalf("Wait: got %v, want nil", err)
	}
	if got := clk.Timers(); got != 2 {
		t.Fatalf("clock timers before End: got %d, want 2 (wall-time limit and wake-up)", got)
	}
	rt.End()
	if got := clk.Timers(); got != 0 {
		t.Errorf("clock timers after End: got %d, want 0", got)
	}
	begin(t, rt, context.Background(), roomy, nil)
	if rt.Busy() {
		t.Errorf("Busy in the next execution: got true, want false")
	}
	if err := waitVirtual(rt, clk, nil); !errors.Is(err, sandbox.ErrIdle) {
		t.Fatalf("Wait in the next execution: got %v, want ErrIdle", err)
	}
	if got := jsOut(t, rt); got != "immediate" {
		t.Errorf("got out %q, want only %q", got, "immediate")
	}
}
