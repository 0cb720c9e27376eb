package sandbox

import (
	"math/big"
	"time"

	"github.com/dop251/goja"
)

// globals holds per-runtime state behind the globals installed by New.
type globals struct {
	requireFn  goja.Value
	preludeObj *goja.Object // what the prelude made, nil until it ran
	timerSym   *goja.Symbol
	timerProt  *goja.Object
	immProt    *goja.Object
}

// timeoutMax is the largest delay Node accepts; larger ones become 1 ms.
const timeoutMax = 1<<31 - 1

// prelude makes the globals written in JavaScript, process and
// queueMicrotask. It runs at most once per runtime, on the first use of
// either (see installGlobals), so possibly after scripts have run: the
// built-ins it keeps private copies of are passed in, captured before any
// script ran. queue(fn) runs fn as a microtask, through the original
// Promise.prototype.then (see (*Runtime).queue). Its functions keep the
// lines and columns they had when the prelude ran with the runtime's
// set-up: they show in stack traces.
var prelude = goja.MustCompile("hookengine:prelude", `(function (hrtimeNs, warn, log, error, queue, TypeErrorCtor) {
  'use strict';
  // The host passes in what the prelude uses: it may run after scripts
  // have, when the globals could have been replaced. These lines keep the
  // positions of the functions below, which stack traces show.
  //
  // process.stdout and process.stderr: what packages probe (fd, isTTY) and
  // write to, which goes to the console without the trailing newline.
  function output(fd, print) {
    return {
      fd,
      isTTY: false,
      writable: true,
      write(chunk, encoding, callback) {
        print(String(chunk).replace(/\n$/, ''));
        if (typeof encoding === 'function') encoding();
        else if (typeof callback === 'function') callback();
        return true;
      },
      on() { return this; },
      once() { return this; },
      off() { return this; },
      removeListener() { return this; },
      emit() { return false; },
      end() {},
    };
  }
  // queue(fn) is the host's: see (*Runtime).queue.
  function checkCallback(callback) {
    if (typeof callback !== 'function') {
      const err = new TypeErrorCtor('The "callback" argument must be of type function. Received ' +
        (callback === null ? 'null' : typeof callback));
      err.code = 'ERR_INVALID_ARG_TYPE';
      throw err;
    }
  }
  function queueMicrotask(callback) {
    checkCallback(callback);
    queue(() => { callback(); });
  }
  function hrtime(previous) {
    const ns = hrtimeNs();
    let sec = Math.floor(ns / 1e9), nsec = ns % 1e9;
    if (previous !== undefined) {
      sec -= previous[0];
      nsec -= previous[1];
      if (nsec < 0) { sec--; nsec += 1e9; }
    }
    return [sec, nsec];
  }
  // hrtime.bigint is defined by the host: see runPrelude.
  const process = {
    env: {},
    argv: [],
    execArgv: [],
    exitCode: undefined,
    nextTick(callback, ...args) {
      checkCallback(callback);
      queue(() => { callback(...args); });
    },
    hrtime,
    emitWarning(warning) {
      warn('Warning: ' + (warning && warning.message !== undefined ? warning.message : warning));
    },
    cwd() { return '/'; },
    // Fixed values packages read; nothing comes from the host.
    version: 'v18.20.0',
    versions: { node: '18.20.0' },
    release: { name: 'node' },
    platform: 'linux',
    arch: 'x64',
    title: 'node',
    pid: 1,
    stdout: output(1, log),
    stderr: output(2, error),
    uptime() { return hrtimeNs() / 1e9; },
  };
  return { process, queueMicrotask };
})`, true)

// runPrelude runs the prelude, for a runtime created at epoch, and returns
// what it made.
func (r *Runtime) runPrelude(epoch time.Time) (*goja.Object, error) {
	vm := r.vm
	hrtimeNs := func() int64 { return int64(r.loop.clock.Now().Sub(epoch)) }
	print := func(l Level) goja.Value {
		return r.Func(string(l), func(call goja.FunctionCall) goja.Value {
			r.host.Console(l, r.Format(call.Arguments))
			return goja.Undefined()
		})
	}
	fn, err := vm.RunProgram(prelude)
	if err != nil {
		return nil, err
	}
	call, _ := goja.AssertFunction(fn)
	v, err := call(goja.Undefined(),
		r.Func("hrtime", func(goja.FunctionCall) goja.Value { return vm.ToValue(float64(hrtimeNs())) }),
		// console.warn's, console.log's and console.error's output, without
		// creating the console.
		print(LevelWarn), print(LevelInfo), print(LevelError),
		r.Func("queue", func(c goja.FunctionCall) goja.Value {
			r.queue(c.Argument(0))
			return goja.Undefined()
		}),
		r.errorCtorOf("TypeError"))
	if err != nil {
		return nil, err
	}
	// What the prelude would have assigned is defined here: scripts may
	// have run, and an assignment would call a setter of theirs on
	// Object.prototype or Function.prototype.
	o := v.ToObject(vm)
	process := o.Get("process").ToObject(vm)
	bigint := r.Func("bigint", func(goja.FunctionCall) goja.Value { return vm.ToValue(big.NewInt(hrtimeNs())) })
	if err := process.Get("hrtime").ToObject(vm).DefineDataProperty("bigint", bigint, goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_TRUE); err != nil {
		return nil, err
	}
	if err := process.DefineDataPropertySymbol(goja.SymToStringTag, vm.ToValue("process"), goja.FLAG_FALSE, goja.FLAG_FALSE, goja.FLAG_FALSE); err != nil {
		return nil, err
	}
	return o, nil
}

// queue runs fn as a microtask: it is a reaction, made with the original
// Promise.prototype.then, to a promise already resolved.
func (r *Runtime) queue(fn goja.Value) {
	if r.resolved == nil {
		p, resolve, _ := r.vm.NewPromise()
		_ = resolve(goja.Undefined())
		r.resolved = r.vm.ToValue(p)
	}
	if _, err := r.promiseThen(r.resolved, fn); err != nil {
		panic(err)
	}
}

func (r *Runtime) installGlobals() error {
	if err := r.installConsole(); err != nil {
		return err
	}
	if err := r.installRequire(); err != nil {
		return err
	}
	if err := r.installTimers(); err != nil {
		return err
	}
	// process, global and queueMicrotask: writable, configurable and not
	// enumerable, as Node has them. The prelude makes process and
	// queueMicrotask on the first use of either.
	epoch := r.loop.clock.Now()
	g := r.vm.GlobalObject()
	made := func(name string) func() goja.Value {
		return func() goja.Value {
			if r.preludeObj == nil {
				o, err := r.runPrelude(epoch)
				if err != nil {
					panic(err)
				}
				r.preludeObj = o
			}
			return r.preludeObj.Get(name)
		}
	}
	for _, p := range []struct {
		name string
		make func() goja.Value
	}{
		{"process", made("process")},
		{"global", func() goja.Value { return g }},
		{"queueMicrotask", made("queueMicrotask")},
	} {
		if !g.DefineLazyDataProperty(p.name, p.make, goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE) {
			if err := g.DefineDataProperty(p.name, p.make(), goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE); err != nil {
				return err
			}
		}
	}
	if err := r.installGuards(); err != nil {
		return err
	}
	if r.cfg.Fetch != nil && r.cfg.Fetch.Client != nil {
		r.fetch = &fetcher{cfg: r.cfg.Fetch}
		r.lazyGroup(fetchGlobals, r.installFetch)
	}
	r.lazyGlobal("Buffer", "buffer")
	r.lazyGlobal("URL", "url")
	r.lazyGlobal("URLSearchParams", "url")
	r.lazyGroup(encodingGlobals, r.installEncoding)
	return nil
}

// lazyValue defines global name as a data property, writable, enumerable
// and configurable as vm.Set makes it, whose value make builds on the
// property's first use (see goja's DefineLazyProperty): a runtime whose
// scripts never touch it does not pay for it, and scripts see the same
// names, order, descriptors and values. Where goja cannot defer it, the
// value is made at once.
func (r *Runtime) lazyValue(name string, make func() goja.Value) error {
	if r.vm.GlobalObject().DefineLazyProperty(name, make) {
		return nil
	}
	return r.vm.Set(name, make())
}

// lazyGlobal defines global name as the export of the same name of module,
// loaded on first use so runtimes that never touch it do not pay for it.
func (r *Runtime) lazyGlobal(name, module string) {
	g := r.vm.GlobalObject()
	define := func(v goja.Value) {
		_ = g.DefineDataProperty(name, v, goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE)
	}
	r.lazyAccessor(name, func() (*goja.Object, *goja.Object) {
		getter := r.Func(name, func(goja.FunctionCall) goja.Value {
			v := r.Require(module).ToObject(r.vm).Get(name)
			define(v)
			return v
		})
		setter := r.Func(name, func(call goja.FunctionCall) goja.Value {
			define(call.Argument(0))
			return goja.Undefined()
		})
		return getter, setter
	})
}

// lazyAccessor defines global name as an accessor, configurable and not
// enumerable, whose getter and setter make makes on the property's first
// use (see goja's DefineLazyAccessorProperty), or at once where goja
// cannot defer it.
func (r *Runtime) lazyAccessor(name string, make func() (getter, setter *goja.Object)) {
	g := r.vm.GlobalObject()
	if !g.DefineLazyAccessorProperty(name, make, goja.FLAG_TRUE, goja.FLAG_FALSE) {
		getter, setter := make()
		_ = g.DefineAccessorProperty(name, getter, setter, goja.FLAG_TRUE, goja.FLAG_FALSE)
	}
}

// lazyGroup defines the globals names so that the first use of any of them
// runs install, which defines them all as ordinary properties.
func (r *Runtime) lazyGroup(names []string, install func() error) {
	g := r.vm.GlobalObject()
	installed := false
	ensure := func() {
		if installed {
			return
		}
		installed = true
		if err := install(); err != nil {
			panic(r.vm.NewGoError(err))
		}
	}
	for _, name := range names {
		r.lazyAccessor(name, func() (*goja.Object, *goja.Object) {
			getter := r.Func(name, func(goja.FunctionCall) goja.Value {
				ensure()
				return g.Get(name)
			})
			setter := r.Func(name, func(call goja.FunctionCall) goja.Value {
				ensure()
				_ = g.DefineDataProperty(name, call.Argument(0), goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE)
				return goja.Undefined()
			})
			return getter, setter
		})
	}
}

func (r *Runtime) installTimers() error {
	vm := r.vm
	r.timerSym = goja.NewSymbol("hookengine.timer")
	l := &r.loop

	// lookup finds the timer behind a Timeout/Immediate object or id.
	lookup := func(v goja.Value) (*timer, int64, bool) {
		var id int64
		switch x := v.(type) {
		case *goja.Object:
			idv := x.GetSymbol(r.timerSym)
			if idv == nil {
				return nil, 0, false
			}
			id = idv.ToInteger()
		default:
			if goja.IsUndefined(v) || goja.IsNull(v) {
				return nil, 0, false
			}
			id = v.ToInteger()
		}
		t, ok := l.byID[id]
		return t, id, ok
	}
	this := func(call goja.FunctionCall) *timer {
		t, _, _ := lookup(call.This)
		return t
	}
	proto := func(withRefresh bool) *goja.Object {
		p := vm.NewObject()
		_ = p.Set("ref", r.Func("ref", func(call goja.FunctionCall) goja.Value {
			if t := this(call); t != nil {
				l.setRef(t, true)
			}
			return call.This
		}))
		_ = p.Set("unref", r.Func("unref", func(call goja.FunctionCall) goja.Value {
			if t := this(call); t != nil {
				l.setRef(t, false)
			}
			return call.This
		}))
		_ = p.Set("hasRef", r.Func("hasRef", func(call goja.FunctionCall) goja.Value {
			t := this(call)
			return vm.ToValue(t != nil && t.ref)
		}))
		if withRefresh {
			_ = p.Set("refresh", r.Func("refresh", func(call goja.FunctionCall) goja.Value {
				if t := this(call); t != nil {
					l.refresh(t)
				}
				return call.This
			}))
			_ = p.Set("close", r.Func("close", func(call goja.FunctionCall) goja.Value {
				if _, id, ok := lookup(call.This); ok {
					l.clear(id)
				}
				return call.This
			}))
		}
		_ = p.SetSymbol(goja.SymToPrimitive, func(call goja.FunctionCall) goja.Value {
			if o, ok := call.This.(*goja.Object); ok {
				if v := o.GetSymbol(r.timerSym); v != nil {
					return v
				}
			}
			return goja.NaN()
		})
		return p
	}
	schedule := func(call goja.FunctionCall, repeat, immediate bool) goja.Value {
		if r.timerProt == nil {
			// Made on the first timer: only timer objects reach them.
			r.timerProt, r.immProt = proto(true), proto(false)
		}
		fn, ok := goja.AssertFunction(call.Argument(0))
		if !ok {
			e := vm.NewTypeError("The \"callback\" argument must be of type function. Received " + r.Inspect(call.Argument(0)))
			_ = e.Set("code", "ERR_INVALID_ARG_TYPE")
			panic(e)
		}
		if len(l.byID) >= MaxTimers {
			panic(r.rangeError("Too many timers: a hook may have at most %d scheduled at once", MaxTimers))
		}
		t := &timer{fn: fn, ref: true, immediate: immediate}
		rest := 2
		if immediate {
			rest = 1
		} else {
			d := call.Argument(1).ToFloat()
			if !(d >= 1 && d <= timeoutMax) {
				d = 1
			}
			t.delay = time.Duration(d * float64(time.Millisecond))
			t.when = l.clock.Now().Add(t.delay)
			if repeat {
				t.interval = t.delay
			}
		}
		if len(call.Arguments) > rest {
			t.args = append([]goja.Value(nil), call.Arguments[rest:]...)
		}
		l.add(t)
		obj := vm.NewObject()
		if immediate {
			_ = obj.SetPrototype(r.immProt)
		} else {
			_ = obj.SetPrototype(r.timerProt)
		}
		_ = obj.DefineDataPropertySymbol(r.timerSym, vm.ToValue(t.id), goja.FLAG_FALSE, goja.FLAG_FALSE, goja.FLAG_FALSE)
		return obj
	}
	clearer := func(call goja.FunctionCall) goja.Value {
		if _, id, ok := lookup(call.Argument(0)); ok {
			l.clear(id)
		}
		return goja.Undefined()
	}
	set := map[string]func(goja.FunctionCall) goja.Value{
		"setTimeout":     func(call goja.FunctionCall) goja.Value { return schedule(call, false, false) },
		"setInterval":    func(call goja.FunctionCall) goja.Value { return schedule(call, true, false) },
		"setImmediate":   func(call goja.FunctionCall) goja.Value { return schedule(call, false, true) },
		"clearTimeout":   clearer,
		"clearInterval":  clearer,
		"clearImmediate": clearer,
	}
	// In Node's order, which scripts see in Object.keys(globalThis).
	for _, name := range []string{"setInterval", "clearInterval", "setTimeout", "clearTimeout", "setImmediate", "clearImmediate"} {
		if err := r.lazyValue(name, func() goja.Value { return r.Func(name, set[name]) }); err != nil {
			return err
		}
	}
	return nil
}
