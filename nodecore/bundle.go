package nodecore

import (
	"sync"

	"github.com/dop251/goja"

	"github.com/hookengine/hookengine/sandbox"
)

// bundleProgram is js/vendor/readable-stream.js, compiled once per process:
// a function of (require, Stream) returning the bundle's load(file).
var bundleProgram = sync.OnceValue(func() *goja.Program {
	src, err := sources.ReadFile("js/vendor/readable-stream.js")
	if err != nil {
		panic(err)
	}
	return goja.MustCompile("hookengine:readable-stream", string(src), false)
})

// bundleNative gives stream and string_decoder native.bundle(require,
// Stream), which evaluates the bundle in the runtime and returns its load
// function.
func bundleNative(r *sandbox.Runtime) *goja.Object {
	vm := r.VM()
	o := vm.NewObject()
	_ = o.Set("bundle", func(call goja.FunctionCall) goja.Value {
		fn, err := vm.RunProgram(bundleProgram())
		if err != nil {
			panic(err)
		}
		factory, _ := goja.AssertFunction(fn)
		load, err := factory(goja.Undefined(), call.Argument(0), call.Argument(1))
		if err != nil {
			panic(err)
		}
		return load
	})
	return o
}
