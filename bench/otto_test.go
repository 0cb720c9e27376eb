package bench

import (
	"errors"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/robertkrimen/otto"
)

// otto, the pure-Go ES5 interpreter, runs the hooks written in ES5 through
// testdata/driver.js. It has no limits besides an interrupt channel.
//
//   - ottoReusedContender keeps one runtime per goroutine with the hook
//     loaded, its best case;
//   - ottoNewContender builds a runtime and compiles the script on every
//     call (the cold scenario).

var ottoReusedContender = contender{
	name:     "otto-reused-runtime",
	supports: func(w *workload, m mode) bool { return w.ES5 && !w.Endless && m == warm },
	open: func(tb testing.TB, w *workload, m mode) runner {
		return &ottoRunner{w: w}
	},
}

var ottoNewContender = contender{
	name:     "otto-new-runtime",
	supports: func(w *workload, m mode) bool { return w.ES5 && !w.Endless && m == cold },
	open: func(tb testing.TB, w *workload, m mode) runner {
		return &ottoRunner{w: w, fresh: true}
	},
}

var (
	ottoDriverOnce sync.Once
	ottoDriverSrc  string
	ottoDriverErr  error
)

func ottoDriver() (string, error) {
	ottoDriverOnce.Do(func() {
		b, err := os.ReadFile("testdata/driver.js")
		ottoDriverSrc, ottoDriverErr = string(b), err
	})
	return ottoDriverSrc, ottoDriverErr
}

// ottoHook is an otto runtime with the driver and one hook loaded.
type ottoHook struct {
	vm   *otto.Otto
	run  otto.Value
	hook otto.Value
}

func loadOtto(script string, w *workload) (*ottoHook, error) {
	driver, err := ottoDriver()
	if err != nil {
		return nil, err
	}
	vm := otto.New()
	if _, err := vm.Run(driver); err != nil {
		return nil, err
	}
	if _, err := vm.Call("__init", nil, w.secretsJSON); err != nil {
		return nil, err
	}
	compiled, err := vm.Compile("hook.js", wrapperSource(script))
	if err != nil {
		return nil, err
	}
	wrapper, err := vm.Run(compiled)
	if err != nil {
		return nil, err
	}
	load, err := vm.Get("__load")
	if err != nil {
		return nil, err
	}
	hook, err := load.Call(otto.UndefinedValue(), wrapper)
	if err != nil {
		return nil, err
	}
	run, err := vm.Get("__run")
	if err != nil {
		return nil, err
	}
	return &ottoHook{vm: vm, run: run, hook: hook}, nil
}

func (h *ottoHook) call(trigger, input string) (string, error) {
	v, err := h.run.Call(otto.UndefinedValue(), h.hook, trigger, input, otto.UndefinedValue())
	if err != nil {
		return "", err
	}
	if v.IsUndefined() {
		return "", errNoCallback
	}
	return v.String(), nil
}

var errOttoHalt = errors.New("time limit")

// callWithTimeout runs an endless hook, stopped through otto's interrupt
// channel after limit of wall time.
func (h *ottoHook) callWithTimeout(trigger, input string, limit time.Duration) (err error) {
	h.vm.Interrupt = make(chan func(), 1)
	t := time.AfterFunc(limit, func() {
		h.vm.Interrupt <- func() { panic(errOttoHalt) }
	})
	defer t.Stop()
	defer func() {
		if p := recover(); p != nil {
			if p != errOttoHalt {
				panic(p)
			}
			err = errOttoHalt
		}
	}()
	_, err = h.call(trigger, input)
	return err
}

type ottoRunner struct {
	w     *workload
	fresh bool
	seq   atomic.Int64
}

func (r *ottoRunner) caller(tb testing.TB) func() (string, error) {
	trigger, input := string(r.w.Trigger), string(r.w.input)
	if r.fresh {
		return func() (string, error) {
			h, err := loadOtto(coldScript(r.w.script, &r.seq), r.w)
			if err != nil {
				return "", err
			}
			return h.call(trigger, input)
		}
	}
	h, err := loadOtto(r.w.script, r.w)
	if err != nil {
		tb.Fatal(err)
	}
	return func() (string, error) { return h.call(trigger, input) }
}

func (r *ottoRunner) close() {}
