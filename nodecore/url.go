package nodecore

import (
	"github.com/dop251/goja"
	"github.com/dop251/goja_nodejs/url"

	"github.com/hookengine/hookengine/sandbox"
)

// urlNative gives url.js goja_nodejs's url module (the WHATWG URL and
// URLSearchParams), which url.js completes with Node's legacy API.
func urlNative(r *sandbox.Runtime) *goja.Object {
	vm := r.VM()
	module := vm.NewObject()
	_ = module.Set("exports", vm.NewObject())
	url.Require(vm, module)
	return module.Get("exports").ToObject(vm)
}
