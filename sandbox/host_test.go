package sandbox_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/dop251/goja"

	"github.com/hookengine/hookengine/sandbox"
)

func TestHostAsyncErrors(t *testing.T) {
	tests := []struct {
		desc          string
		src           string
		wantUncaught  []string
		wantUnhandled []string
		wantConsole   []string
	}{
		{
			desc:         "an exception in a timer goes to Uncaught and the loop goes on",
			src:          `setTimeout(() => { throw new Error('boom') }, 1); setTimeout(() => console.log('still running'), 2);`,
			wantUncaught: []string{"Error: boom"},
			wantConsole:  []string{"info: still running"},
		},
		{
			desc:         "an exception in an immediate goes to Uncaught",
			src:          `setImmediate(() => { throw new TypeError('bad') }); setImmediate(() => console.log('next'));`,
			wantUncaught: []string{"TypeError: bad"},
			wantConsole:  []string{"info: next"},
		},
		{
			desc:         "an interval that throws keeps running",
			src:          `let n = 0; const iv = setInterval(() => { if (++n === 2) clearInterval(iv); throw n; }, 5);`,
			wantUncaught: []string{"1", "2"},
		},
		{
			desc:          "an unhandled rejection goes to Unhandled",
			src:           `Promise.reject(new Error('nobody'));`,
			wantUnhandled: []string{"Error: nobody"},
		},
		{
			desc:          "a rejected async function goes to Unhandled",
			src:           `(async () => { throw new RangeError('async') })();`,
			wantUnhandled: []string{"RangeError: async"},
		},
		{
			desc:          "a rejection in a timer is reported at the end of that turn",
			src:           `setTimeout(() => { Promise.reject('late'); console.log('same turn'); }, 3);`,
			wantUnhandled: []string{"late"},
			wantConsole:   []string{"info: same turn"},
		},
		{
			desc: "a handled rejection is not reported",
			src:  `Promise.reject(new Error('x')).catch(() => console.log('caught'));`,
			wantConsole: []string{
				"info: caught",
			},
		},
		{
			desc: "a rejection handled later in the same turn is not reported",
			src: `
				const p = Promise.reject(new Error('x'));
				Promise.resolve().then(() => p.catch(() => console.log('caught late')));`,
			wantConsole: []string{"info: caught late"},
		},
		{
			desc: "a caught exception is not reported",
			src:  `setTimeout(() => { try { throw new Error('x') } catch (e) { console.log('caught', e.message) } }, 1);`,
			wantConsole: []string{
				"info: caught x",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			rt, clk := newVirtual(t)
			h := &recorder{}
			begin(t, rt, context.Background(), roomy, h)
			mustRun(t, rt, tt.src)
			if err := waitVirtual(rt, clk, nil); !errors.Is(err, sandbox.ErrIdle) {
				t.Fatalf("Wait: got %v, want ErrIdle", err)
			}
			if !slices.Equal(h.uncaught, tt.wantUncaught) {
				t.Errorf("Uncaught: got %q, want %q", h.uncaught, tt.wantUncaught)
			}
			if !slices.Equal(h.unhandled, tt.wantUnhandled) {
				t.Errorf("Unhandled: got %q, want %q", h.unhandled, tt.wantUnhandled)
			}
			if got := h.lines(); !slices.Equal(got, tt.wantConsole) {
				t.Errorf("console: got %q, want %q", got, tt.wantConsole)
			}
			if u := rt.End(); u.Err != nil {
				t.Errorf("Usage.Err: got %v, want nil", u.Err)
			}
			if !rt.Reusable() {
				t.Errorf("Reusable: got false, want true")
			}
		})
	}
}

func TestUncaughtInCompletion(t *testing.T) {
	rt := newRuntime(t, nil)
	h := &recorder{}
	begin(t, rt, context.Background(), roomy, h)
	var (
		complete func(func()) bool
		callback goja.Callable
	)
	err := rt.Do(func(vm *goja.Runtime) error {
		if err := vm.Set("fetchLater", func(cb goja.Callable) { complete, callback = rt.Pending(), cb }); err != nil {
			return err
		}
		_, err := vm.RunString(`fetchLater(() => { throw new Error('in callback') }); setImmediate(() => console.log('after'));`)
		return err
	})
	if err != nil {
		t.Fatalf("Do: got %v, want nil", err)
	}
	complete(func() {
		if _, err := callback(goja.Undefined()); err != nil {
			panic(err)
		}
	})
	if err := rt.Wait(nil); !errors.Is(err, sandbox.ErrIdle) {
		t.Fatalf("Wait: got %v, want ErrIdle", err)
	}
	if want := []string{"Error: in callback"}; !slices.Equal(h.uncaught, want) {
		t.Errorf("Uncaught: got %q, want %q", h.uncaught, want)
	}
	if got, want := h.lines(), []string{"info: after"}; !slices.Equal(got, want) {
		t.Errorf("console: got %q, want %q", got, want)
	}
	if rt.End(); !rt.Reusable() {
		t.Errorf("Reusable: got false, want true")
	}
}

func TestSyncExceptionIsReturnedNotReported(t *testing.T) {
	rt := newRuntime(t, nil)
	h := &recorder{}
	begin(t, rt, context.Background(), roomy, h)
	_, err := run(rt, `throw new Error('sync')`)
	var exc *goja.Exception
	if !errors.As(err, &exc) {
		t.Fatalf("Do: got %v (%T), want *goja.Exception", err, err)
	}
	if got, want := exc.Value().String(), "Error: sync"; got != want {
		t.Errorf("exception: got %q, want %q", got, want)
	}
	if len(h.uncaught) != 0 {
		t.Errorf("Uncaught: got %q, want nothing", h.uncaught)
	}
	if got := eval(t, rt, `'the execution goes on'`); got != "the execution goes on" {
		t.Errorf("next turn: got %q", got)
	}
}

func TestConsole(t *testing.T) {
	tests := []struct {
		desc string
		src  string
		want []string
	}{
		{"log", `console.log('a', 1, {b: 2})`, []string{"info: a 1 { b: 2 }"}},
		{"info", `console.info('%s=%d', 'x', 5)`, []string{"info: x=5"}},
		{"debug", `console.debug('dbg')`, []string{"debug: dbg"}},
		{"warn", `console.warn('careful')`, []string{"warn: careful"}},
		{"error", `console.error(new Error('bad').message)`, []string{"error: bad"}},
		{"no arguments", `console.log()`, []string{"info: "}},
		{"dir", `console.dir({a: [1, 2]})`, []string{"info: { a: [ 1, 2 ] }"}},
		{"assert passing", `console.assert(true, 'never')`, nil},
		{"assert failing", `console.assert(0, 'x is %d', 3)`, []string{"error: Assertion failed: x is 3"}},
		{"assert failing without message", `console.assert(false)`, []string{"error: Assertion failed"}},
		{
			"count and countReset",
			`console.count(); console.count(); console.count('a'); console.countReset(); console.count()`,
			[]string{"info: default: 1", "info: default: 2", "info: a: 1", "info: default: 1"},
		},
		{
			"time, timeLog and timeEnd on the runtime's clock",
			`console.time('t'); setTimeout(() => console.timeLog('t', 'half', 1), 10); setTimeout(() => console.timeEnd('t'), 25);`,
			[]string{"info: t: 10.000ms half 1", "info: t: 25.000ms"},
		},
		{"timeEnd of an unknown label", `console.timeEnd('nope')`, []string{"warn: Warning: No such label 'nope' for console.timeEnd()"}},
		{"process.emitWarning goes to warn", `process.emitWarning('old API')`, []string{"warn: Warning: old API"}},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			rt, clk := newVirtual(t)
			h := &recorder{}
			begin(t, rt, context.Background(), roomy, h)
			mustRun(t, rt, tt.src)
			if err := waitVirtual(rt, clk, nil); !errors.Is(err, sandbox.ErrIdle) {
				t.Fatalf("Wait: got %v, want ErrIdle", err)
			}
			if got := h.lines(); !slices.Equal(got, tt.want) {
				t.Errorf("got %s, want %s", joinLines(got), joinLines(tt.want))
			}
		})
	}
}

func TestConsoleTrace(t *testing.T) {
	rt := newRuntime(t, nil)
	h := &recorder{}
	begin(t, rt, context.Background(), roomy, h)
	err := rt.Do(func(vm *goja.Runtime) error {
		_, err := vm.RunScript("trace.js", "function where() {\n  console.trace('here', 1);\n}\nwhere();")
		return err
	})
	if err != nil {
		t.Fatalf("Do: got %v, want nil", err)
	}
	got := h.lines()
	if len(got) != 1 {
		t.Fatalf("got %d console lines, want 1: %s", len(got), joinLines(got))
	}
	// The first frame is the caller, not console.trace itself.
	if want := "debug: Trace: here 1\n    at where (trace.js:2:"; !strings.HasPrefix(got[0], want) {
		t.Errorf("got %q, want it to start with %q", got[0], want)
	}
	if want := "\n    at trace.js:4:"; !strings.Contains(got[0], want) {
		t.Errorf("got %q, want it to contain the top-level frame %q", got[0], want)
	}
}

func TestConsoleWithoutHost(t *testing.T) {
	// A nil Host discards output; End restores the discarding host, so a
	// runtime used after End does not write to the old one.
	rt := newRuntime(t, nil)
	h := &recorder{}
	begin(t, rt, context.Background(), roomy, h)
	mustRun(t, rt, `console.log('first')`)
	rt.End()
	begin(t, rt, context.Background(), roomy, nil)
	mustRun(t, rt, `console.log('second')`)
	if got, want := h.lines(), []string{"info: first"}; !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}
