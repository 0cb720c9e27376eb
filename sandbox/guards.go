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

// guardsSource builds the guards that put the bounds above in front of the
// built-ins they protect. It runs at most once per runtime, on the first use
// of a guarded built-in (see installGuards), and returns the functions that
// install each guard. The natives it calls are passed in: check(len)
// refuses array lengths over MaxArrayLength, charge(n) checks an allocation
// of n bytes against the memory limits, checkJSON(text) refuses JSON nested
// too deeply, fastParse(text) is JSON.parse without a reviver (noParse when
// it cannot say, so the original parser reports the error), and stringify
// is the bounded JSON.stringify. Since it may run after scripts have, every
// built-in it keeps a private copy of comes in originals, captured by the
// host before any script ran (see guardOriginals).
var guardsSource = goja.MustCompile("hookengine:guards", `(function (global, check, charge, checkJSON, fastParse, noParse, stringify, limits, symbols, originals) {
  'use strict';
  const { maxNesting, maxArguments } = limits;
  const { apply, construct } = originals;
  const { defineProperty, describe } = originals;
  const { ownKeys, getPrototypeOf, setPrototypeOf } = originals;
  // The well-known symbols come from the host: reading them from the
  // global Symbol would create it, and its prototype, in every runtime.
  const iteratorSymbol = symbols.iterator;
  const RangeErrorCtor = originals.RangeError;
  const define = (o, name, value) => defineProperty(o, name, { value, writable: true, configurable: true, __proto__: null });
  const named = (name, f) => defineProperty(f, 'name', { value: name, __proto__: null });
  function tooDeep(what) {
    return new RangeErrorCtor('Maximum call stack size exceeded (' + what + ' nested deeper than ' + maxNesting + ' levels)');
  }
  const lengthOf = (o) => (o === null || o === undefined ? 0 : o.length);
  const tooMany = () => new RangeErrorCtor('Too many arguments in function call (at most ' + maxArguments + ')');
  const { AP, SP, FP } = originals;

  // Each guard is installed by install(key, object), which the host calls
  // on the first use of the property when goja has not created it yet (see
  // installGuards), at once otherwise. An install reads the original
  // property first and only uses the private copies above, which no script
  // can have replaced. One function, install, serves every property and
  // one, guardOf, makes every wrapper: everything made here is made in
  // every runtime that uses a guarded built-in. The wrappers' lines keep the indentation
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
  // (The host lists the guarded String.prototype methods.)

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
        configurable: true, __proto__: null,
      });
    }
  }

  // The guards of the built-ins goja makes all at once with their object,
  // installed on the first use of the object: Array.from on the first use
  // of the global Array or of Array.prototype.constructor, Reflect.apply
  // and Reflect.construct on the first use of the global Reflect (which
  // builds these guards), JSON.parse and JSON.stringify on the first use of
  // the global JSON. The host calls these installs (see installGuards).
  //
  // Every line of a wrapper (here and in guardOf) is where it was when the
  // guards were installed with every runtime: a stack trace through a
  // wrapper shows its line and column, which must not move. Hence the
  // length of this comment, and the installs written around the wrappers'
  // first and last lines. The descriptors given to defineProperty have no
  // prototype: these run after scripts, which may have put get, set or
  // value on Object.prototype.
  //
  //
  //
  //
  //
  //
  const installFrom = (ArrayCtor) => { const from = ArrayCtor.from;
  define(ArrayCtor, 'from', named('from', function (items, ...rest) {
    if (items !== null && typeof items === 'object' && (Array.isArray(items) || typeof items[Symbol.iterator] !== 'function')) {
      charge(16 * check(items.length));
    }
    return apply(from, this, [items, ...rest]);
  })); };
  const installReflect = (ReflectObj) => { define(ReflectObj, 'apply', named('apply', function (target, thisArg, args) {
    if (lengthOf(args) > maxArguments) {
      throw tooMany();
    }
    return apply(target, thisArg, args);
  }));
  define(ReflectObj, 'construct', named('construct', function (target, args, ...newTarget) {
    if (lengthOf(args) > maxArguments) {
      throw tooMany();
    }
    return apply(construct, undefined, [target, args, ...newTarget]);
  })); };
  const installJSON = (JSONObj) => { const parse = JSONObj.parse;
  define(JSONObj, 'parse', named('parse', function (text, reviver) {
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
  define(JSONObj, 'stringify', stringify); };
  return { install, installFrom, installReflect, installJSON };
})`, true)

// guardedStringMethods are the String.prototype methods that allocate in
// proportion to an argument.
var guardedStringMethods = []string{"localeCompare", "repeat", "padStart", "padEnd", "concat"}

// guardedConstructors are the globals that allocate in proportion to their
// first argument.
var guardedConstructors = []string{
	"ArrayBuffer", "Int8Array", "Uint8Array", "Uint8ClampedArray", "Int16Array", "Uint16Array",
	"Int32Array", "Uint32Array", "Float32Array", "Float64Array", "BigInt64Array", "BigUint64Array",
}

// guardState is what a runtime keeps for its guards (see installGuards).
type guardState struct {
	// The originals the guards keep private copies of, captured by
	// installGuards before any script ran. Reflect's are read when the
	// guards are built: only the global Reflect reaches them, and its first
	// use builds the guards.
	defineProperty, getOwnPropertyDescriptor, getPrototypeOf, setPrototypeOf goja.Value
	arrayProto, stringProto, functionProto                                   *goja.Object

	// The functions guardsSource returns, nil until it has run.
	install, installFrom, installReflect, installJSON goja.Callable
	arrayGuarded                                      bool // Array.from is guarded
}

// installGuards arranges for the guards of guardsSource to be installed on
// the first use of each built-in they protect (see onFirstUse): a runtime
// pays only for the guards its scripts need. The guards themselves are
// built, once, by the first use of the global Reflect, which any guard's
// first use makes if no script has: Reflect's functions can only have been
// reached through it, so they are still the originals then. The functions
// of Object and the error constructors they keep copies of are captured
// on the first use of each (see captureIntrinsics), the prototypes here.
func (r *Runtime) installGuards() error {
	vm := r.vm
	gs := &r.guards
	g := vm.GlobalObject()
	gs.arrayProto = vm.NewArray().Prototype()
	gs.stringProto = vm.ToValue("").ToObject(vm).Prototype()
	gs.functionProto = r.objectCtor.Prototype()
	if gs.arrayProto == nil || gs.stringProto == nil || gs.functionProto == nil {
		return fmt.Errorf("sandbox: intrinsic prototypes missing")
	}

	r.onFirstUse(g, "Reflect", func() {
		reflect := g.Get("Reflect")
		if gs.install == nil {
			if err := r.buildGuards(reflect.(*goja.Object)); err != nil {
				panic(err)
			}
		}
		r.callGuard(gs.installReflect, reflect)
	})
	guard := func(o *goja.Object, name string) {
		r.onFirstUse(o, name, func() { r.callGuard(r.builtGuards().install, vm.ToValue(name), o) })
	}
	guard(g, "WeakMap")
	for _, name := range guardedArrayMethods {
		guard(gs.arrayProto, name)
	}
	guard(gs.arrayProto, "values")
	guard(gs.arrayProto, "keys")
	guard(gs.arrayProto, "entries")
	iterator := func() { r.callGuard(r.builtGuards().install, goja.SymIterator, gs.arrayProto) }
	if !gs.arrayProto.OnFirstUseSymbol(goja.SymIterator, iterator) {
		iterator()
	}
	for _, name := range guardedStringMethods {
		guard(gs.stringProto, name)
	}
	guard(gs.functionProto, "apply")
	guard(gs.functionProto, "bind")
	guard(g, "Proxy")
	for _, name := range guardedConstructors {
		guard(g, name)
	}
	// The Array constructor is reached through the global or through
	// Array.prototype.constructor, whichever is used first.
	guardArray := func(ctor goja.Value) {
		if !gs.arrayGuarded {
			r.callGuard(r.builtGuards().installFrom, ctor)
			gs.arrayGuarded = true
		}
	}
	r.onFirstUse(g, "Array", func() { guardArray(g.Get("Array")) })
	r.onFirstUse(gs.arrayProto, "constructor", func() { guardArray(gs.arrayProto.Get("constructor")) })
	r.onFirstUse(g, "JSON", func() {
		json := g.Get("JSON").(*goja.Object)
		if r.jsonParse == nil {
			parse, ok := goja.AssertFunction(json.Get("parse"))
			if !ok {
				panic(vm.NewTypeError("sandbox: intrinsic JSON.parse is not a function"))
			}
			r.jsonParse, r.jsonObj = parse, json
		}
		r.callGuard(r.builtGuards().installJSON, json)
	})
	return nil
}

// builtGuards returns the runtime's guards, building them first (by using
// the global Reflect, see installGuards) if nothing has yet.
func (r *Runtime) builtGuards() *guardState {
	if r.guards.install == nil {
		r.vm.GlobalObject().Get("Reflect")
		if r.guards.install == nil {
			panic(r.vm.NewTypeError("sandbox: the guards could not be built"))
		}
	}
	return &r.guards
}

// callGuard calls f, one of the functions guardsSource returns, with args
// and panics with its exception.
func (r *Runtime) callGuard(f goja.Callable, args ...goja.Value) {
	if _, err := f(goja.Undefined(), args...); err != nil {
		panic(err)
	}
}

// buildGuards runs guardsSource, with the original Reflect.
func (r *Runtime) buildGuards(reflect *goja.Object) error {
	vm := r.vm
	gs := &r.guards
	prog, err := vm.RunProgram(guardsSource)
	if err != nil {
		return err
	}
	call, _ := goja.AssertFunction(prog)
	noParse := vm.NewObject()
	limits := vm.NewObject()
	// Defined, not set: scripts may have run, and a setter of theirs on
	// Object.prototype would take what Set gives it.
	own := func(o *goja.Object, name string, v any) {
		_ = o.DefineDataProperty(name, vm.ToValue(v), goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_TRUE)
	}
	own(limits, "maxNesting", MaxNesting)
	own(limits, "maxArguments", MaxArguments)
	own(limits, "maxCollateLength", MaxCollateLength)
	symbols := vm.NewObject()
	own(symbols, "iterator", goja.SymIterator)
	originals := vm.NewObject()
	for _, kv := range []struct {
		name  string
		value goja.Value
	}{
		{"apply", reflect.Get("apply")},
		{"construct", reflect.Get("construct")},
		{"ownKeys", reflect.Get("ownKeys")},
		{"defineProperty", r.objectFn(objDefineProperty)},
		{"describe", r.objectFn(objGetOwnPropertyDescriptor)},
		{"getPrototypeOf", r.objectFn(objGetPrototypeOf)},
		{"setPrototypeOf", r.objectFn(objSetPrototypeOf)},
		{"RangeError", r.errorCtorOf("RangeError")},
		{"AP", gs.arrayProto},
		{"SP", gs.stringProto},
		{"FP", gs.functionProto},
	} {
		own(originals, kv.name, kv.value)
	}
	api, err := call(goja.Undefined(), vm.GlobalObject(),
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
		symbols,
		originals)
	if err != nil {
		return err
	}
	o := api.ToObject(vm)
	fns := make([]goja.Callable, 4)
	for i, name := range []string{"install", "installFrom", "installReflect", "installJSON"} {
		f, ok := goja.AssertFunction(o.Get(name))
		if !ok {
			return fmt.Errorf("sandbox: guards: %s missing", name)
		}
		fns[i] = f
	}
	gs.install, gs.installFrom, gs.installReflect, gs.installJSON = fns[0], fns[1], fns[2], fns[3]
	return nil
}

// onFirstUse runs install the first time property name of o is used, when
// goja has not created it yet: o is one of the built-ins goja creates
// property by property (the global object, Array.prototype,
// String.prototype, Function.prototype, ...), and neither the runtime's
// set-up nor any script has touched that property. Otherwise it runs
// install at once. install reads the original property and may
// redefine it; the use that created it sees the result. A runtime that
// never uses the property never pays for creating it nor for install. It
// is how the sandbox wraps built-ins without changing what scripts see:
// install must only use values captured before any script ran.
func (r *Runtime) onFirstUse(o *goja.Object, name string, install func()) {
	if !o.OnFirstUse(name, install) {
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
	ctor := r.errorCtorOf(class)
	if ctor == nil {
		return r.vm.NewTypeError(msg)
	}
	e, err := r.vm.New(ctor, r.vm.ToValue(msg))
	if err != nil {
		return r.vm.NewTypeError(msg)
	}
	return e
}
