package sandbox

import (
	"fmt"
	"time"

	"github.com/dlclark/regexp2/v2"
	"github.com/dop251/goja"
)

// Bounds on what one native call may do. goja cannot interrupt a built-in
// once it runs, so the time and memory limits only take effect between
// calls; these bounds keep every single call small enough.
const (
	// MaxArrayLength bounds the length of arrays (and array-likes) the
	// built-ins that loop over or copy every index accept. Sparse arrays
	// are cheap to make with any length; a native loop over 2³²-1 holes is
	// not.
	MaxArrayLength = 1 << 23
	// MaxArguments bounds the argument lists built by Function.prototype.apply,
	// Reflect.apply and Reflect.construct.
	MaxArguments = 1 << 16
	// MaxTimers bounds the timers and immediates an execution has scheduled
	// at once; setTimeout, setInterval and setImmediate throw a RangeError
	// past it.
	MaxTimers = 10000
	// RegexpTimeout bounds one regular-expression match that needs the
	// backtracking engine. A match that runs out of time throws a RangeError
	// instead of silently not matching.
	RegexpTimeout = 100 * time.Millisecond
)

func init() {
	// goja compiles patterns RE2 cannot handle with regexp2, which by
	// default lets a match run forever and reports a timeout as "no match".
	// The timeout is read when a pattern is compiled, so it must be set
	// before any script runs; it applies to every regexp2 pattern compiled
	// in the process.
	regexp2.DefaultMatchTimeout = RegexpTimeout
}

// guardedArrayMethods loop over, or copy, every index of their receiver.
var guardedArrayMethods = []string{
	"concat", "copyWithin", "every", "fill", "filter", "find", "findIndex", "findLast", "findLastIndex",
	"flat", "flatMap", "forEach", "includes", "indexOf", "join", "lastIndexOf", "map", "reduce",
	"reduceRight", "reverse", "shift", "slice", "some", "sort", "splice", "toLocaleString",
	"toReversed", "toSorted", "toSpliced", "unshift", "with",
}

// guardsSource puts the bounds above in front of the built-ins they protect.
// It runs once per runtime, before any script. The natives it calls are
// passed in: check(len) refuses array lengths over MaxArrayLength, charge(n)
// checks an allocation of n bytes against the memory limits,
// checkJSON(text) refuses JSON nested too deeply, fastParse(text) is
// JSON.parse without a reviver (noParse when it cannot say, so the original
// parser reports the error), stringify and exec are the
// bounded JSON.stringify, and timed(fn, name) wraps a regular-expression
// method so that a match the backtracking engine gave up on throws.
var guardsSource = goja.MustCompile("hookengine:guards", `(function (global, methods, check, charge, checkJSON, fastParse, noParse, stringify, timed, limits) {
  'use strict';
  const { maxNesting, maxArguments } = limits;
  const apply = Reflect.apply, construct = Reflect.construct;
  const defineProperty = Object.defineProperty;
  const WeakMapCtor = WeakMap;
  const wmGet = WeakMap.prototype.get, wmSet = WeakMap.prototype.set;
  const RangeErrorCtor = RangeError;
  const define = (o, name, value) => defineProperty(o, name, { value, writable: true, configurable: true });
  const named = (name, f) => defineProperty(f, 'name', { value: name });
  function tooDeep(what) {
    return new RangeErrorCtor('Maximum call stack size exceeded (' + what + ' nested deeper than ' + maxNesting + ' levels)');
  }
  const lengthOf = (o) => (o === null || o === undefined ? 0 : o.length);

  // Array methods that loop over, or copy, every index of their receiver.
  const AP = Array.prototype;
  for (const name of methods) {
    const orig = AP[name];
    if (typeof orig === 'function') {
      define(AP, name, named(name, function (...args) {
        check(lengthOf(this));
        return apply(orig, this, args);
      }));
    }
  }
  // Iterators over arrays: spread, for...of, Array.from, new Set(...) and
  // the like would otherwise walk every hole of a huge sparse array in one
  // native loop.
  for (const key of ['values', 'keys', 'entries']) {
    const orig = AP[key];
    const guarded = named(key, function () {
      check(lengthOf(this));
      return apply(orig, this, []);
    });
    define(AP, key, guarded);
    if (orig === AP[Symbol.iterator] || key === 'values') {
      define(AP, Symbol.iterator, guarded);
    }
  }
  const arrayConcat = AP.concat;
  define(AP, 'concat', named('concat', function (...args) {
    let n = check(lengthOf(this));
    for (const a of args) {
      if (Array.isArray(a)) {
        n += check(a.length);
      }
    }
    check(n);
    return apply(arrayConcat, this, args);
  }));
  const fill = AP.fill;
  define(AP, 'fill', named('fill', function (...args) {
    charge(16 * check(lengthOf(this)));
    return apply(fill, this, args);
  }));
  // join (and toString, which calls it) recurse into nested arrays through
  // this very property, so counting the calls in progress bounds the depth.
  const join = AP.join;
  let joining = 0;
  define(AP, 'join', named('join', function (...args) {
    const n = check(lengthOf(this));
    if (args[0] !== undefined) {
      charge(n * String(args[0]).length);
    }
    if (++joining > maxNesting) {
      joining--;
      throw tooDeep('arrays');
    }
    try {
      return apply(join, this, args);
    } finally {
      joining--;
    }
  }));
  function arrayDepth(a, depth) {
    if (!Array.isArray(a)) {
      return;
    }
    if (depth > maxNesting) {
      throw tooDeep('arrays');
    }
    for (let i = 0; i < a.length; i++) {
      arrayDepth(a[i], depth + 1);
    }
  }
  const flat = AP.flat;
  define(AP, 'flat', named('flat', function (...args) {
    check(lengthOf(this));
    if (args[0] !== undefined && args[0] > 1) {
      arrayDepth(this, 0);
    }
    return apply(flat, this, args);
  }));
  const from = Array.from;
  define(Array, 'from', named('from', function (items, ...rest) {
    if (items !== null && typeof items === 'object' && (Array.isArray(items) || typeof items[Symbol.iterator] !== 'function')) {
      charge(16 * check(items.length));
    }
    return apply(from, this, [items, ...rest]);
  }));

  const SP = String.prototype;
  const localeCompare = SP.localeCompare;
  define(SP, 'localeCompare', named('localeCompare', function (that, ...rest) {
    if (this === null || this === undefined) {
      return apply(localeCompare, this, [that, ...rest]);
    }
    const s = String(this), t = String(that);
    if (s.length + t.length > limits.maxCollateLength) {
      throw new RangeErrorCtor('Strings too long for localeCompare in a hook: ' + (s.length + t.length) +
        ' characters, at most ' + limits.maxCollateLength);
    }
    return apply(localeCompare, s, [t, ...rest]);
  }));
  const repeat = SP.repeat, padStart = SP.padStart, padEnd = SP.padEnd, concat = SP.concat;
  define(SP, 'repeat', named('repeat', function (count) {
    charge(String(this).length * count);
    return apply(repeat, this, [count]);
  }));
  define(SP, 'padStart', named('padStart', function (...args) {
    charge(args[0]);
    return apply(padStart, this, args);
  }));
  define(SP, 'padEnd', named('padEnd', function (...args) {
    charge(args[0]);
    return apply(padEnd, this, args);
  }));
  define(SP, 'concat', named('concat', function (...args) {
    let n = String(this).length;
    for (const a of args) {
      n += typeof a === 'string' ? a.length : 0;
    }
    charge(n);
    return apply(concat, this, args);
  }));

  // Argument lists built from array-likes.
  const fnApply = Function.prototype.apply;
  const tooMany = () => new RangeErrorCtor('Too many arguments in function call (at most ' + maxArguments + ')');
  define(Function.prototype, 'apply', named('apply', function (thisArg, args) {
    if (lengthOf(args) > maxArguments) {
      throw tooMany();
    }
    return apply(fnApply, this, [thisArg, args]);
  }));
  define(Reflect, 'apply', named('apply', function (target, thisArg, args) {
    if (lengthOf(args) > maxArguments) {
      throw tooMany();
    }
    return apply(target, thisArg, args);
  }));
  define(Reflect, 'construct', named('construct', function (target, args, ...newTarget) {
    if (lengthOf(args) > maxArguments) {
      throw tooMany();
    }
    return apply(construct, undefined, [target, args, ...newTarget]);
  }));

  const parse = JSON.parse;
  define(JSON, 'parse', named('parse', function (text, reviver) {
    text = String(text);
    if (typeof reviver !== 'function') {
      const v = fastParse(text);
      if (v !== noParse) {
        return v;
      }
    }
    if (text.length > maxNesting) {
      checkJSON(text);
    }
    return apply(parse, this, [text, reviver]);
  }));
  define(JSON, 'stringify', stringify);
  const RP = RegExp.prototype;
  for (const key of ['exec', 'test', Symbol.match, Symbol.matchAll, Symbol.replace, Symbol.search, Symbol.split]) {
    const orig = RP[key];
    if (typeof orig === 'function') {
      define(RP, key, timed(orig, typeof key === 'symbol' ? '[' + key.description + ']' : key));
    }
  }

  // Chains the natives follow recursively: bound functions and proxies.
  const boundDepth = new WeakMapCtor();
  const bind = Function.prototype.bind;
  define(Function.prototype, 'bind', named('bind', function (thisArg, ...args) {
    const d = (apply(wmGet, boundDepth, [this]) || 0) + 1;
    if (d > maxNesting) {
      throw tooDeep('bound functions');
    }
    const f = apply(bind, this, [thisArg, ...args]);
    apply(wmSet, boundDepth, [f, d]);
    return f;
  }));
  const ProxyCtor = Proxy, revocable = Proxy.revocable;
  const proxyDepth = new WeakMapCtor();
  const depthOf = (t) => (t !== null && (typeof t === 'object' || typeof t === 'function') ? apply(wmGet, proxyDepth, [t]) || 0 : 0);
  // proxyDepthOf returns the depth of a new proxy over target, refusing
  // chains too deep for the natives that walk them.
  function proxyDepthOf(target, handler) {
    const d = Math.max(depthOf(target), depthOf(handler)) + 1;
    if (d > maxNesting) {
      throw tooDeep('proxies');
    }
    return d;
  }
  const GuardedProxy = named('Proxy', function (target, handler) {
    if (new.target === undefined) {
      throw new TypeError("Constructor Proxy requires 'new'");
    }
    const d = proxyDepthOf(target, handler);
    const p = new ProxyCtor(target, handler);
    apply(wmSet, proxyDepth, [p, d]);
    return p;
  });
  define(GuardedProxy, 'revocable', named('revocable', function (target, handler) {
    const d = proxyDepthOf(target, handler);
    const r = apply(revocable, ProxyCtor, [target, handler]);
    apply(wmSet, proxyDepth, [r.proxy, d]);
    return r;
  }));
  define(global, 'Proxy', GuardedProxy);

  // The allocating constructors get a size check on first use: building
  // the wrappers eagerly would slow every new runtime down.
  const ArrayBufferCtor = ArrayBuffer;
  function sizeArg(arg, bytesPerElement) {
    if (arg === null || (typeof arg !== 'object' && typeof arg !== 'function')) {
      return Number(arg) * bytesPerElement;
    }
    if (arg instanceof ArrayBufferCtor) {
      return 0;
    }
    const n = Number(arg.length);
    return n > 0 ? n * bytesPerElement : 0;
  }
  // guard makes the replacement of a constructor: it shares the original's
  // prototype, statics and [[Prototype]], so instanceof, subclassing and
  // species lookups keep working.
  function guard(Orig, bytesPerElement) {
    const Guarded = function (...args) {
      if (new.target === undefined) {
        return apply(Orig, this, args);
      }
      charge(sizeArg(args[0], bytesPerElement));
      return construct(Orig, args, new.target);
    };
    for (const key of Reflect.ownKeys(Orig)) {
      if (key !== 'prototype' && key !== 'caller' && key !== 'arguments') {
        defineProperty(Guarded, key, Object.getOwnPropertyDescriptor(Orig, key));
      }
    }
    Guarded.prototype = Orig.prototype;
    Object.setPrototypeOf(Guarded, Object.getPrototypeOf(Orig));
    define(Orig.prototype, 'constructor', Guarded);
    return Guarded;
  }
  for (const [name, size] of [['ArrayBuffer', 1], ['Int8Array', 1], ['Uint8Array', 1], ['Uint8ClampedArray', 1],
    ['Int16Array', 2], ['Uint16Array', 2], ['Int32Array', 4], ['Uint32Array', 4], ['Float32Array', 4],
    ['Float64Array', 8], ['BigInt64Array', 8], ['BigUint64Array', 8]]) {
    const Orig = global[name];
    if (typeof Orig !== 'function') {
      continue;
    }
    let guarded;
    defineProperty(global, name, {
      get() {
        if (guarded === undefined) {
          guarded = guard(Orig, size);
          define(global, name, guarded);
        }
        return guarded;
      },
      set(v) { define(global, name, v); },
      configurable: true,
    });
  }
})`, true)

// installGuards runs guardsSource on the runtime.
func (r *Runtime) installGuards() error {
	vm := r.vm
	prog, err := vm.RunProgram(guardsSource)
	if err != nil {
		return err
	}
	call, _ := goja.AssertFunction(prog)
	noParse := vm.NewObject()
	limits := vm.NewObject()
	_ = limits.Set("maxNesting", MaxNesting)
	_ = limits.Set("maxArguments", MaxArguments)
	_ = limits.Set("maxCollateLength", MaxCollateLength)
	_, err = call(goja.Undefined(), vm.GlobalObject(), vm.ToValue(guardedArrayMethods),
		r.Func("check", func(c goja.FunctionCall) goja.Value {
			return vm.ToValue(r.checkLength(c.Argument(0)))
		}),
		r.Func("charge", func(c goja.FunctionCall) goja.Value {
			r.chargeAllocFloat(c.Argument(0).ToFloat())
			return goja.Undefined()
		}),
		r.Func("checkJSON", func(c goja.FunctionCall) goja.Value {
			r.checkJSONNesting(c.Argument(0).String())
			return goja.Undefined()
		}),
		r.Func("parse", func(c goja.FunctionCall) goja.Value {
			if v, ok := r.parseJSON(c.Argument(0).String()); ok {
				return v
			}
			return noParse
		}),
		noParse,
		r.Func("stringify", func(c goja.FunctionCall) goja.Value {
			s, ok := r.stringify(c.Argument(0), c.Argument(1), c.Argument(2), true)
			if !ok {
				return goja.Undefined()
			}
			return r.hostString(s)
		}),
		r.Func("timed", func(c goja.FunctionCall) goja.Value {
			orig, _ := goja.AssertFunction(c.Argument(0))
			return r.timedRegexp(orig, c.Argument(1).String())
		}),
		limits)
	return err
}

// timedRegexp wraps a regular-expression method. regexp2, which goja uses
// for patterns RE2 cannot run, reports a match that ran out of time
// (RegexpTimeout) as no match at all; the wrapper turns a call that took
// that long into a RangeError instead. For methods that match many times
// (replace, split, matchAll with /g) the whole call counts, so a legitimate
// call taking RegexpTimeout in total is refused too.
func (r *Runtime) timedRegexp(orig goja.Callable, name string) goja.Value {
	return r.Func(name, func(call goja.FunctionCall) goja.Value {
		start := time.Now()
		v, err := orig(call.This, call.Arguments...)
		if err != nil {
			panic(err)
		}
		if time.Since(start) >= RegexpTimeout-regexpClockSlack && !singleMatchFound(name, call.This, v) {
			panic(r.rangeError("Regular expression too complex: matching gave up after %v of backtracking", RegexpTimeout))
		}
		return v
	})
}

// singleMatchFound reports whether a call that made one match attempt
// found a match, which a match that ran out of time cannot have: such a
// call was only slow (a loaded machine), and its answer stands.
func singleMatchFound(name string, this, v goja.Value) bool {
	switch name {
	case "exec":
		return !goja.IsNull(v)
	case "test":
		return v.ToBoolean()
	case "[Symbol.match]":
		o, ok := this.(*goja.Object)
		return ok && !o.Get("global").ToBoolean() && !goja.IsNull(v)
	case "[Symbol.search]":
		return v.ToInteger() >= 0
	}
	return false
}

// regexpClockSlack allows for regexp2's coarse clock, which may end a match
// a little before its timeout.
const regexpClockSlack = 10 * time.Millisecond

// checkLength refuses an array length over MaxArrayLength and returns it.
func (r *Runtime) checkLength(v goja.Value) int64 {
	if v == nil || goja.IsUndefined(v) || goja.IsNull(v) {
		return 0
	}
	n := v.ToFloat()
	if n > MaxArrayLength {
		panic(r.rangeError("Array too long for a hook: length %.0f, at most %d", n, MaxArrayLength))
	}
	if !(n > 0) {
		return 0
	}
	return int64(n)
}

func (r *Runtime) rangeError(format string, args ...any) *goja.Object {
	return r.newErrorOf("RangeError", fmt.Sprintf(format, args...))
}

func (r *Runtime) syntaxError(format string, args ...any) *goja.Object {
	return r.newErrorOf("SyntaxError", fmt.Sprintf(format, args...))
}

func (r *Runtime) newErrorOf(class, msg string) *goja.Object {
	ctor, _ := r.errorCtors[class]
	if ctor == nil {
		return r.vm.NewTypeError(msg)
	}
	e, err := r.vm.New(ctor, r.vm.ToValue(msg))
	if err != nil {
		return r.vm.NewTypeError(msg)
	}
	return e
}
