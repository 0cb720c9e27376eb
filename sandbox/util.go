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
  exports.promisify = promisify;
  exports.inherits = inherits;
  exports.isArray = Array.isArray;
})`, true)

// requireUtil builds the util module: format and inspect as console uses
// them, promisify and inherits.
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
