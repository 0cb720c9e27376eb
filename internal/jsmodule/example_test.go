package jsmodule_test

import (
	"context"
	"fmt"
	"testing/fstest"
	"time"

	"github.com/dop251/goja"

	"github.com/hookengine/hookengine/internal/jsmodule"
	"github.com/hookengine/hookengine/sandbox"
)

// A module written in JavaScript, with a Go helper passed as native.
func Example() {
	src := fstest.MapFS{"greet.js": {Data: []byte(`exports.greet = (name) => native.prefix + name;`)}}
	m := jsmodule.New(src, "greet.js")
	m.Native = func(r *sandbox.Runtime) *goja.Object {
		o := r.VM().NewObject()
		_ = o.Set("prefix", "hello, ")
		return o
	}
	reg := sandbox.NewRegistry()
	if err := reg.RegisterRuntimeModule("greet", m.Load); err != nil {
		panic(err)
	}
	rt, err := sandbox.New(&sandbox.Config{Modules: reg})
	if err != nil {
		panic(err)
	}
	rt.Begin(context.Background(), sandbox.Limits{WallTime: time.Second, CPUTime: time.Second}, nil)
	defer rt.End()
	_ = rt.Do(func(vm *goja.Runtime) error {
		v, err := vm.RunString(`require('greet').greet('hooks')`)
		fmt.Println(v, err)
		return err
	})
	// Output: hello, hooks <nil>
}
