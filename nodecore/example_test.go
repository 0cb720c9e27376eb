package nodecore_test

import (
	"context"
	"fmt"
	"time"

	"github.com/dop251/goja"

	"github.com/hookengine/hookengine/nodecore"
	"github.com/hookengine/hookengine/sandbox"
)

// NewRegistry gives a sandbox runtime Node's core modules.
func ExampleNewRegistry() {
	rt, err := sandbox.New(&sandbox.Config{Modules: nodecore.NewRegistry()})
	if err != nil {
		panic(err)
	}
	rt.Begin(context.Background(), sandbox.Limits{WallTime: time.Second, CPUTime: time.Second}, nil)
	defer rt.End()
	_ = rt.Do(func(vm *goja.Runtime) error {
		v, err := vm.RunString(`require('crypto').createHmac('sha256', 'secret').update('payload').digest('hex')`)
		fmt.Println(v, err)
		return err
	})
	// Output: b82fcb791acec57859b989b430a826488ce2e479fdf92326bd0a2e8375a42ba4 <nil>
}
