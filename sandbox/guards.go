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
	// backtracking engine (regexp2). A match that runs out of time throws a
	// RangeError instead of silently not matching (third_party/goja's
	// patch). Patterns Go's regexp runs match in linear time and have no
	// such bound; replace, split and the like stop at the run's limits.
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
// parser reports the error), and stringify is the bounded JSON.stringify.
var guardsSource = goja.MustCompile("hookengine:guards", `(function (global, methods, check, charge, checkJSON, fastParse, noParse, stringify, limits, lazy, symbols) {
  'use strict';
  const { maxNesting, maxArguments } = limits;
  const apply = Reflect.apply, construct = Reflect.construct;
  const defineProperty = Object.defineProperty, describe = Object.getOwnPropertyDescriptor;
  const ownKeys = Reflect.ownKeys, getPrototypeOf = Object.getPrototypeOf, setPrototypeOf = Object.setPrototypeOf;
  // The well-known symbols come from the host: reading them from the
  // global Symbol would create it, and its prototype, in every runtime.
  const iteratorSymbol = symbols.iterator;
  const RangeErrorCtor = RangeError;
  const define = (o, name, value) => defineProperty(o, name, { value, writable: true, configurable: true });
  const named = (name, f) => defineProperty(f, 'name', { value: name });
  function tooDeep(what) {
    return new RangeErrorCtor('Maximum call stack size exceeded (' + what + ' nested deeper than ' + maxNesting + ' levels)');
  }
  const lengthOf = (o) => (o === null || o === undefined ? 0 : o.length);
  const tooMany = () => new RangeErrorCtor('Too many arguments in function call (at most ' + maxArguments + ')');
  const AP = Array.prototype, SP = String.prototype, FP = Function.prototype;

  // Each guard is installed by lazy(object, key, install): on the first use
  // of the property when goja has not created it yet (see installGuards),
  // at once otherwise; install(key, object) is called. An install reads the
  // original property first and only uses the private copies above, which
  // no script can have replaced. Every function made here is made in every
  // runtime, so one function, install, serves every property and one,
  // guardOf, makes every wrapper. The wrappers' lines keep the indentation
  // they had when each was written out on its own: it is part of their
  // source text, which scripts can read (and TestVisibleGlobals pins).
  let WeakMapCtor, wmGet, wmSet; // captured on the first use of the global
  let joining = 0; // calls of Array.prototype.join in progress
  let boundDepth, ProxyCtor, revocable, proxyDepth;
  let ArrayBufferCtor; // the original, set by the install of ArrayBuffer's guard
  const iterators = { __proto__: null };
  const sizes = {
    __proto__: null, ArrayBuffer: 1, Int8Array: 1, Uint8Array: 1, Uint8ClampedArray: 1, Int16Array: 2, Uint16Array: 2,
    Int32Array: 4, Uint32Array: 4, Float32Array: 4, Float64Array: 8, BigInt64Array: 8, BigUint64Array: 8,
  };
  const specialMethods = { __proto__: null, concat: true, fill: true, join: true, flat: true };
  const stringMethods = { __proto__: null, localeCompare: true, repeat: true, padStart: true, padEnd: true, concat: true };

  function guardOf(kind, orig, name) {
    switch (kind) {
    // Array methods that loop over, or copy, every index of their receiver.
    case 'method':
      return named(name, function (...args) {
        check(lengthOf(this));
        return apply(orig, this, args);
      });
    case 'concat': {
      const arrayConcat = orig;
      return named('concat', function (...args) {
    let n = check(lengthOf(this));
    for (const a of args) {
      if (Array.isArray(a)) {
        n += check(a.length);
      }
    }
    check(n);
    return apply(arrayConcat, this, args);
  });
    }
    case 'fill': {
      const fill = orig;
      return named('fill', function (...args) {
    charge(16 * check(lengthOf(this)));
    return apply(fill, this, args);
  });
    }
    // join (and toString, which calls it) recurse into nested arrays
    // through this very property, so counting the calls in progress bounds
    // the depth.
    case 'join': {
      const join = orig;
      return named('join', function (...args) {
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
  });
    }
    case 'flat': {
      const flat = orig;
      return named('flat', function (...args) {
    check(lengthOf(this));
    if (args[0] !== undefined && args[0] > 1) {
      arrayDepth(this, 0);
    }
    return apply(flat, this, args);
  });
    }
    // Iterators over arrays: spread, for...of, Array.from, new Set(...) and
    // the like would otherwise walk every hole of a huge sparse array in
    // one native loop.
    case 'iterator':
      return named(name, function () {
      check(lengthOf(this));
      return apply(orig, this, []);
    });
    case 'localeCompare': {
      const localeCompare = orig;
      return named('localeCompare', function (that, ...rest) {
    if (this === null || this === undefined) {
      return apply(localeCompare, this, [that, ...rest]);
    }
    const s = String(this), t = String(that);
    if (s.length + t.length > limits.maxCollateLength) {
      throw new RangeErrorCtor('Strings too long for localeCompare in a hook: ' + (s.length + t.length) +
        ' characters, at most ' + limits.maxCollateLength);
    }
    return apply(localeCompare, s, [t, ...rest]);
  });
    }
    case 'repeat': {
      const repeat = orig;
      return named('repeat', function (count) {
    charge(String(this).length * count);
    return apply(repeat, this, [count]);
  });
    }
    case 'padStart': {
      const padStart = orig;
      return named('padStart', function (...args) {
    charge(args[0]);
    return apply(padStart, this, args);
  });
    }
    case 'padEnd': {
      const padEnd = orig;
      return named('padEnd', function (...args) {
    charge(args[0]);
    return apply(padEnd, this, args);
  });
    }
    case 'stringConcat': {
      const concat = orig;
      return named('concat', function (...args) {
    let n = String(this).length;
    for (const a of args) {
      n += typeof a === 'string' ? a.length : 0;
    }
    charge(n);
    return apply(concat, this, args);
  });
    }
    // Argument lists built from array-likes.
    case 'apply': {
      const fnApply = orig;
      return named('apply', function (thisArg, args) {
    if (lengthOf(args) > maxArguments) {
      throw tooMany();
    }
    return apply(fnApply, this, [thisArg, args]);
  });
    }
    // Chains the natives follow recursively: bound functions and proxies.
    case 'bind': {
      const bind = orig;
      return named('bind', function (thisArg, ...args) {
    const d = (apply(wmGet, boundDepth, [this]) || 0) + 1;
    if (d > maxNesting) {
      throw tooDeep('bound functions');
    }
    const f = apply(bind, this, [thisArg, ...args]);
    apply(wmSet, boundDepth, [f, d]);
    return f;
  });
    }
    case 'Proxy':
      return named('Proxy', function (target, handler) {
    if (new.target === undefined) {
      throw new TypeError("Constructor Proxy requires 'new'");
    }
    const d = proxyDepthOf(target, handler);
    const p = new ProxyCtor(target, handler);
    apply(wmSet, proxyDepth, [p, d]);
    return p;
  });
    case 'revocable':
      return named('revocable', function (target, handler) {
    const d = proxyDepthOf(target, handler);
    const r = apply(revocable, ProxyCtor, [target, handler]);
    apply(wmSet, proxyDepth, [r.proxy, d]);
    return r;
  });
    }
    throw new TypeError('no guard ' + kind);
  }
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
  function guardedIterator(key) {
    if (iterators[key] === undefined) {
      const orig = AP[key];
      if (iterators[key] === undefined) {
        iterators[key] = guardOf('iterator', orig, key);
      }
    }
    return iterators[key];
  }
  function depthOf(t) {
    return t !== null && (typeof t === 'object' || typeof t === 'function') ? apply(wmGet, proxyDepth, [t]) || 0 : 0;
  }
  // proxyDepthOf returns the depth of a new proxy over target, refusing
  // chains too deep for the natives that walk them.
  function proxyDepthOf(target, handler) {
    const d = Math.max(depthOf(target), depthOf(handler)) + 1;
    if (d > maxNesting) {
      throw tooDeep('proxies');
    }
    return d;
  }
  // The allocating constructors get a size check on their first use (the
  // wrapper itself is built on the first read of the global).
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
    for (const key of ownKeys(Orig)) {
      if (key !== 'prototype' && key !== 'caller' && key !== 'arguments') {
        defineProperty(Guarded, key, describe(Orig, key));
      }
    }
    Guarded.prototype = Orig.prototype;
    setPrototypeOf(Guarded, getPrototypeOf(Orig));
    define(Orig.prototype, 'constructor', Guarded);
    return Guarded;
  }

  function install(key, o) {
    if (o === AP) {
      if (key === 'values' || key === 'keys' || key === 'entries' || key === iteratorSymbol) {
        define(AP, key, guardedIterator(key === iteratorSymbol ? 'values' : key));
        return;
      }
      const orig = AP[key];
      if (typeof orig === 'function') {
        const f = guardOf('method', orig, key);
        define(AP, key, specialMethods[key] ? guardOf(key, f) : f);
      }
    } else if (o === SP) {
      define(SP, key, guardOf(key === 'concat' ? 'stringConcat' : key, SP[key]));
    } else if (o === FP) {
      if (key === 'bind') {
        describe(global, 'WeakMap');
        boundDepth = new WeakMapCtor();
      }
      define(FP, key, guardOf(key, FP[key]));
    } else if (key === 'WeakMap') {
      // Captured on the first use of the global, before any script can
      // have changed it: the guards of bind and Proxy describe it first.
      WeakMapCtor = global.WeakMap;
      wmGet = WeakMapCtor.prototype.get;
      wmSet = WeakMapCtor.prototype.set;
    } else if (key === 'Proxy') {
      ProxyCtor = global.Proxy;
      revocable = ProxyCtor.revocable;
      describe(global, 'WeakMap');
      proxyDepth = new WeakMapCtor();
      const GuardedProxy = guardOf('Proxy');
      define(GuardedProxy, 'revocable', guardOf('revocable'));
      define(global, 'Proxy', GuardedProxy);
    } else {
      const name = key;
      const Orig = global[name];
      if (name === 'ArrayBuffer') {
        ArrayBufferCtor = Orig;
      } else {
        // sizeArg needs the original ArrayBuffer: describing the global
        // creates it (and runs this install for it) if nothing has yet.
        describe(global, 'ArrayBuffer');
      }
      if (typeof Orig !== 'function') {
        return;
      }
      let guarded;
      defineProperty(global, name, {
        get() {
          if (guarded === undefined) {
            guarded = guard(Orig, sizes[name]);
            define(global, name, guarded);
          }
          return guarded;
        },
        set(v) { define(global, name, v); },
        configurable: true,
      });
    }
  }

  lazy(global, 'WeakMap', install);
  // Index loops, not for...of, at set-up: an iterator would create
  // Array.prototype[Symbol.iterator] and its guard in every runtime.
  for (let i = 0; i < methods.length; i++) {
    lazy(AP, methods[i], install);
  }
  lazy(AP, 'values', install);
  lazy(AP, 'keys', install);
  lazy(AP, 'entries', install);
  lazy(AP, iteratorSymbol, install);
  for (const name in stringMethods) {
    lazy(SP, name, install);
  }
  lazy(FP, 'apply', install);
  lazy(FP, 'bind', install);
  lazy(global, 'Proxy', install);
  for (const name in sizes) {
    lazy(global, name, install);
  }

  const from = Array.from;
  define(Array, 'from', named('from', function (items, ...rest) {
    if (items !== null && typeof items === 'object' && (Array.isArray(items) || typeof items[Symbol.iterator] !== 'function')) {
      charge(16 * check(items.length));
    }
    return apply(from, this, [items, ...rest]);
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
	symbols := vm.NewObject()
	_ = symbols.Set("iterator", goja.SymIterator)
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
		limits,
		r.Func("lazy", func(c goja.FunctionCall) goja.Value {
			o := c.Argument(0).ToObject(vm)
			install, _ := goja.AssertFunction(c.Argument(2))
			key := c.Argument(1)
			r.onFirstUse(o, key, func() {
				if _, err := install(goja.Undefined(), key, o); err != nil {
					panic(err)
				}
			})
			return goja.Undefined()
		}),
		symbols)
	return err
}

// onFirstUse runs install the first time property key (a string or a
// symbol) of o is used, when goja has not created it yet: o is one of the
// built-ins goja creates property by property (the global object,
// Array.prototype, String.prototype, Function.prototype, ...), and neither
// the runtime's set-up nor any script has touched that property. Otherwise
// it runs install at once. install reads the original property and may
// redefine it; the use that created it sees the result. A runtime that
// never uses the property never pays for creating it nor for install. It
// is how the sandbox wraps built-ins without changing what scripts see:
// install must only use values captured before any script ran.
func (r *Runtime) onFirstUse(o *goja.Object, key goja.Value, install func()) {
	var deferred bool
	if sym, ok := key.(*goja.Symbol); ok {
		deferred = o.OnFirstUseSymbol(sym, install)
	} else {
		deferred = o.OnFirstUse(key.String(), install)
	}
	if !deferred {
		install()
	}
}

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
