package bench

import (
	"errors"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dop251/goja"
	"github.com/dop251/goja_nodejs/eventloop"
)

// The three ways embedders use goja directly, none with hookengine's limits:
//
//   - gojaCompileContender builds a runtime and compiles the script on every
//     call (Zitadel Actions v1 builds a runtime per run);
//   - gojaProgramContender compiles once and builds a runtime per call;
//   - gojaReusedContender keeps one runtime per goroutine with the hook
//     loaded, and only calls the hook function.
//
// All three run the hook through testdata/driver.js. Hooks that use timers
// run on goja_nodejs's event loop, the usual companion of goja.

var gojaCompileContender = contender{
	name:     "goja-compile-per-call",
	supports: gojaSupports,
	open: func(tb testing.TB, w *workload, m mode) runner {
		return &gojaFresh{w: w, cold: m == cold}
	},
}

var gojaProgramContender = contender{
	name:     "goja-program-cached",
	supports: func(w *workload, m mode) bool { return gojaSupports(w, m) && m == warm },
	open: func(tb testing.TB, w *workload, m mode) runner {
		return &gojaFresh{w: w, prog: mustCompileHook(tb, w.script)}
	},
}

var gojaReusedContender = contender{
	name:     "goja-reused-runtime",
	supports: func(w *workload, m mode) bool { return gojaSupports(w, m) && m == warm },
	open: func(tb testing.TB, w *workload, m mode) runner {
		return &gojaReused{w: w, prog: mustCompileHook(tb, w.script)}
	},
}

func gojaSupports(w *workload, _ mode) bool { return !w.Fetch && !w.Endless }

var errNoCallback = errors.New("the hook returned without calling back")

// asyncTimeout bounds the wait for an asynchronous hook's answer.
const asyncTimeout = 5 * time.Second

var (
	gojaDriverOnce sync.Once
	gojaDriverProg *goja.Program
	gojaDriverErr  error
)

// gojaDriver returns testdata/driver.js compiled: the embedder's own glue,
// compiled once whatever the contender does with the hook.
func gojaDriver() (*goja.Program, error) {
	gojaDriverOnce.Do(func() {
		src, err := os.ReadFile("testdata/driver.js")
		if err != nil {
			gojaDriverErr = err
			return
		}
		gojaDriverProg, gojaDriverErr = goja.Compile("driver.js", string(src), false)
	})
	return gojaDriverProg, gojaDriverErr
}

func compileHook(script string) (*goja.Program, error) {
	return goja.Compile("hook.js", wrapperSource(script), false)
}

func mustCompileHook(tb testing.TB, script string) *goja.Program {
	tb.Helper()
	p, err := compileHook(script)
	if err != nil {
		tb.Fatal(err)
	}
	return p
}

// gojaHook is a goja runtime with the driver and one hook loaded.
type gojaHook struct {
	vm      *goja.Runtime
	run     goja.Callable
	hook    goja.Value
	trigger goja.Value
}

func loadGoja(vm *goja.Runtime, prog *goja.Program, w *workload) (*gojaHook, error) {
	driver, err := gojaDriver()
	if err != nil {
		return nil, err
	}
	if _, err := vm.RunProgram(driver); err != nil {
		return nil, err
	}
	init, _ := goja.AssertFunction(vm.Get("__init"))
	load, _ := goja.AssertFunction(vm.Get("__load"))
	run, _ := goja.AssertFunction(vm.Get("__run"))
	if _, err := init(goja.Undefined(), vm.ToValue(w.secretsJSON)); err != nil {
		return nil, err
	}
	wrapper, err := vm.RunProgram(prog)
	if err != nil {
		return nil, err
	}
	hook, err := load(goja.Undefined(), wrapper)
	if err != nil {
		return nil, err
	}
	return &gojaHook{vm: vm, run: run, hook: hook, trigger: vm.ToValue(string(w.Trigger))}, nil
}

// callSync runs a hook that calls back before it returns.
func (g *gojaHook) callSync(input string) (string, error) {
	v, err := g.run(goja.Undefined(), g.hook, g.trigger, g.vm.ToValue(input), goja.Undefined())
	if err != nil {
		return "", err
	}
	if goja.IsUndefined(v) {
		return "", errNoCallback
	}
	return v.String(), nil
}

// start runs a hook that may call back later, through done.
func (g *gojaHook) start(input string, done goja.Value) error {
	_, err := g.run(goja.Undefined(), g.hook, g.trigger, g.vm.ToValue(input), done)
	return err
}

// gojaFresh builds a new runtime for every call; without prog it compiles
// the script every call too.
type gojaFresh struct {
	w    *workload
	prog *goja.Program
	cold bool
	seq  atomic.Int64
}

func (r *gojaFresh) caller(testing.TB) func() (string, error) {
	input := string(r.w.input)
	return func() (string, error) {
		prog := r.prog
		if prog == nil {
			script := r.w.script
			if r.cold {
				script = coldScript(script, &r.seq)
			}
			var err error
			if prog, err = compileHook(script); err != nil {
				return "", err
			}
		}
		if !r.w.Async {
			g, err := loadGoja(goja.New(), prog, r.w)
			if err != nil {
				return "", err
			}
			return g.callSync(input)
		}
		var (
			out      string
			err      error
			answered bool
		)
		loop := eventloop.NewEventLoop(eventloop.EnableConsole(false))
		loop.Run(func(vm *goja.Runtime) {
			var g *gojaHook
			if g, err = loadGoja(vm, prog, r.w); err != nil {
				return
			}
			err = g.start(input, vm.ToValue(func(s string) { out, answered = s, true }))
		})
		if err == nil && !answered {
			err = errNoCallback
		}
		return out, err
	}
}

func (r *gojaFresh) close() {}

// gojaReused keeps one runtime per caller, set up once.
type gojaReused struct {
	w    *workload
	prog *goja.Program

	mu    sync.Mutex
	loops []*eventloop.EventLoop
}

func (r *gojaReused) caller(tb testing.TB) func() (string, error) {
	input := string(r.w.input)
	if !r.w.Async {
		g, err := loadGoja(goja.New(), r.prog, r.w)
		if err != nil {
			tb.Fatal(err)
		}
		return func() (string, error) { return g.callSync(input) }
	}
	loop := eventloop.NewEventLoop(eventloop.EnableConsole(false))
	loop.Start()
	r.mu.Lock()
	r.loops = append(r.loops, loop)
	r.mu.Unlock()
	type answer struct {
		out string
		err error
	}
	answers := make(chan answer, 1)
	var (
		g    *gojaHook
		done goja.Value
	)
	loop.RunOnLoop(func(vm *goja.Runtime) {
		var err error
		g, err = loadGoja(vm, r.prog, r.w)
		done = vm.ToValue(func(s string) { answers <- answer{out: s} })
		answers <- answer{err: err}
	})
	if a := <-answers; a.err != nil {
		tb.Fatal(a.err)
	}
	start := func(*goja.Runtime) {
		if err := g.start(input, done); err != nil {
			answers <- answer{err: err}
		}
	}
	// A hook that never answers must not hang the benchmark.
	timeout := time.NewTimer(time.Hour)
	timeout.Stop()
	return func() (string, error) {
		loop.RunOnLoop(start)
		timeout.Reset(asyncTimeout)
		defer timeout.Stop()
		select {
		case a := <-answers:
			return a.out, a.err
		case <-timeout.C:
			return "", errNoCallback
		}
	}
}

func (r *gojaReused) close() {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, l := range r.loops {
		l.Stop()
	}
	r.loops = nil
}

// callWithTimeout runs an endless hook on a reused runtime, stopped by
// the usual goja watchdog: a timer that interrupts the runtime after limit
// of wall time (goja has no CPU-time accounting).
func (g *gojaHook) callWithTimeout(input string, limit time.Duration) error {
	g.vm.ClearInterrupt()
	t := time.AfterFunc(limit, func() { g.vm.Interrupt("time limit") })
	defer t.Stop()
	_, err := g.callSync(input)
	return err
}
