package sandbox

import "github.com/dop251/goja"

// utilSource completes the util module with the functions written in
// JavaScript.
var utilSource = goja.MustCompile("hookengine:util", `(function (exports) {
  'use strict';
  const custom = Symbol.for('nodejs.util.promisify.custom');
  function promisify(original) {
    if (typeof original !== 'function') {
      const err = new TypeError('The "original" argument must be of type function');
      err.code = 'ERR_INVALID_ARG_TYPE';
      throw err;
    }
    if (original[custom]) {
      return original[custom];
    }
    function fn(...args) {
      return new Promise((resolve, reject) => {
        Reflect.apply(original, this, [...args, (err, value) => (err ? reject(err) : resolve(value))]);
      });
    }
    Object.setPrototypeOf(fn, Object.getPrototypeOf(original));
    return Object.defineProperties(fn, Object.getOwnPropertyDescriptors(original));
  }
  promisify.custom = custom;
  function inherits(ctor, superCtor) {
    Object.defineProperty(ctor, 'super_', { value: superCtor, writable: true, configurable: true });
    Object.setPrototypeOf(ctor.prototype, superCtor.prototype);
  }
  function callbackify(original) {
    if (typeof original !== 'function') {
      const err = new TypeError('The "original" argument must be of type function');
      err.code = 'ERR_INVALID_ARG_TYPE';
      throw err;
    }
    function fn(...args) {
      const cb = args.pop();
      if (typeof cb !== 'function') {
        const err = new TypeError('The last argument must be of type function');
        err.code = 'ERR_INVALID_ARG_TYPE';
        throw err;
      }
      Reflect.apply(original, this, args).then((v) => process.nextTick(cb, null, v), (err) => {
        if (!err) {
          const e = new Error('Promise was rejected with a falsy value');
          e.code = 'ERR_FALSY_VALUE_REJECTION';
          e.reason = err;
          err = e;
        }
        process.nextTick(cb, err);
      });
    }
    return fn;
  }
  function deprecate(fn, msg, code) {
    let warned = false;
    return function deprecated(...args) {
      if (!warned) {
        warned = true;
        process.emitWarning('DeprecationWarning: ' + msg + (code ? ' (' + code + ')' : ''));
      }
      return new.target ? Reflect.construct(fn, args, new.target) : Reflect.apply(fn, this, args);
    };
  }
  const tag = (v) => Object.prototype.toString.call(v).slice(8, -1);
  const types = {
    isDate: (v) => v instanceof Date,
    isRegExp: (v) => v instanceof RegExp,
    isPromise: (v) => v instanceof Promise,
    isNativeError: (v) => v instanceof Error,
    isMap: (v) => v instanceof Map,
    isSet: (v) => v instanceof Set,
    isArrayBuffer: (v) => v instanceof ArrayBuffer,
    isTypedArray: (v) => ArrayBuffer.isView(v) && !(v instanceof DataView),
    isUint8Array: (v) => v instanceof Uint8Array,
    isAsyncFunction: (v) => tag(v) === 'AsyncFunction',
    isGeneratorFunction: (v) => tag(v) === 'GeneratorFunction',
  };
  exports.promisify = promisify;
  exports.callbackify = callbackify;
  exports.deprecate = deprecate;
  exports.inherits = inherits;
  exports.types = types;
  exports.isArray = Array.isArray;
  exports.isDate = types.isDate;
  exports.isRegExp = types.isRegExp;
  exports.isError = types.isNativeError;
  exports.isFunction = (v) => typeof v === 'function';
  exports.isString = (v) => typeof v === 'string';
  exports.isNumber = (v) => typeof v === 'number';
  exports.isObject = (v) => v !== null && typeof v === 'object';
  exports.isUndefined = (v) => v === undefined;
  exports.isNullOrUndefined = (v) => v === null || v === undefined;
  for (const name of ['TextEncoder', 'TextDecoder']) {
    Object.defineProperty(exports, name, { get: () => globalThis[name], enumerable: true, configurable: true });
  }
})`, true)

// requireUtil builds the util module: format and inspect as console uses
// them, promisify, callbackify, deprecate, inherits, types and the legacy
// is* predicates, TextEncoder and TextDecoder.
func (r *Runtime) requireUtil(module *goja.Object) {
	vm := r.vm
	exports := module.Get("exports").(*goja.Object)
	_ = exports.Set("format", r.Func("format", func(call goja.FunctionCall) goja.Value {
		return vm.ToValue(r.Format(call.Arguments))
	}))
	_ = exports.Set("inspect", r.Func("inspect", func(call goja.FunctionCall) goja.Value {
		return vm.ToValue(r.Inspect(call.Argument(0)))
	}))
	fn, err := vm.RunProgram(utilSource)
	if err != nil {
		panic(err)
	}
	call, _ := goja.AssertFunction(fn)
	if _, err := call(goja.Undefined(), exports); err != nil {
		panic(err)
	}
}
