package bench

import (
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"modernc.org/quickjs"
)

// QuickJS through modernc.org/quickjs (QuickJS translated to Go, no cgo),
// what a Go embedder could pick instead of goja. It runs the hooks through
// testdata/driver.js like goja and otto, with the limits QuickJS offers
// set: a memory limit enforced by its allocator, an evaluation timeout
// (wall clock, re-armed on every call) and its default stack limit.
//
//   - quickjsReusedContender keeps one VM per goroutine with the hook
//     loaded, reused from call to call;
//   - quickjsNewContender builds a VM and compiles the script on every call
//     (the cold scenario).
//
// Hooks that need timers or promises settled by the host (the async and
// fetch workloads) are left out: the driver gives QuickJS no event loop.

// quickjsMemoryLimit and quickjsTimeout are the limits set on every VM:
// isolated-vm's memory limit in the Node harness, hookengine's CPU limit.
const (
	quickjsMemoryLimit = 128 << 20
	quickjsTimeout     = 2 * time.Second
)

var quickjsReusedContender = contender{
	name:     "quickjs-reused-vm",
	supports: func(w *workload, m mode) bool { return !w.Async && !w.Endless && m == warm },
	open: func(tb testing.TB, w *workload, m mode) runner {
		return &quickjsRunner{w: w}
	},
}

var quickjsNewContender = contender{
	name:     "quickjs-new-vm",
	supports: func(w *workload, m mode) bool { return !w.Async && !w.Endless && m == cold },
	open: func(tb testing.TB, w *workload, m mode) runner {
		return &quickjsRunner{w: w, fresh: true}
	},
}

// quickjsHook is a VM with the driver and one hook loaded.
type quickjsHook struct {
	vm   *quickjs.VM
	run  quickjs.Value
	hook quickjs.Value
}

func loadQuickJS(script string, w *workload) (h *quickjsHook, err error) {
	driver, err := ottoDriver() // the same ES5 driver file
	if err != nil {
		return nil, err
	}
	vm, err := quickjs.NewVM()
	if err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			vm.Close()
		}
	}()
	vm.SetMemoryLimit(quickjsMemoryLimit)
	if err := vm.SetEvalTimeout(quickjsTimeout); err != nil {
		return nil, err
	}
	if _, err := vm.Eval(driver, quickjs.EvalGlobal); err != nil {
		return nil, err
	}
	if _, err := vm.Call("__init", w.secretsJSON); err != nil {
		return nil, err
	}
	wrapper, err := vm.EvalValue(wrapperSource(script), quickjs.EvalGlobal)
	if err != nil {
		return nil, err
	}
	defer wrapper.Free()
	hook, err := vm.CallValue("__load", wrapper)
	if err != nil {
		return nil, err
	}
	run, err := vm.EvalValue("__run", quickjs.EvalGlobal)
	if err != nil {
		hook.Free()
		return nil, err
	}
	return &quickjsHook{vm: vm, run: run, hook: hook}, nil
}

func (h *quickjsHook) call(trigger, input string) (string, error) {
	v, err := h.run.Call(quickjs.UndefinedValue, h.hook, trigger, input, quickjs.Undefined{})
	if err != nil {
		return "", err
	}
	s, ok := v.(string)
	if !ok {
		if _, undefined := v.(quickjs.Undefined); undefined {
			return "", errNoCallback
		}
		return "", fmt.Errorf("quickjs: the driver returned %T, not a string", v)
	}
	return s, nil
}

func (h *quickjsHook) close() {
	h.run.Free()
	h.hook.Free()
	h.vm.Close()
}

type quickjsRunner struct {
	w     *workload
	fresh bool
	seq   atomic.Int64

	mu   sync.Mutex
	open []*quickjsHook // reused VMs, closed by close
}

func (r *quickjsRunner) caller(tb testing.TB) func() (string, error) {
	trigger, input := string(r.w.Trigger), string(r.w.input)
	if r.fresh {
		return func() (string, error) {
			h, err := loadQuickJS(coldScript(r.w.script, &r.seq), r.w)
			if err != nil {
				return "", err
			}
			defer h.close()
			return h.call(trigger, input)
		}
	}
	h, err := loadQuickJS(r.w.script, r.w)
	if err != nil {
		tb.Fatal(err)
	}
	r.mu.Lock()
	r.open = append(r.open, h)
	r.mu.Unlock()
	return func() (string, error) { return h.call(trigger, input) }
}

func (r *quickjsRunner) close() {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, h := range r.open {
		h.close()
	}
	r.open = nil
}
