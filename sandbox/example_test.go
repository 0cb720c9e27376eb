package sandbox_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/dop251/goja"

	"github.com/hookengine/hookengine/sandbox"
)

// printHost prints what a script sends to its Host.
type printHost struct{}

func (printHost) Console(level sandbox.Level, msg string) { fmt.Printf("[%s] %s\n", level, msg) }
func (printHost) Uncaught(err *goja.Exception)            { fmt.Println("uncaught:", err.Value()) }
func (printHost) Unhandled(reason goja.Value)             { fmt.Println("unhandled:", reason) }

// An execution runs a script's first turn with Do, then drives the event
// loop with Wait until nothing is left to run.
func Example() {
	rt, err := sandbox.New(nil)
	if err != nil {
		panic(err)
	}
	rt.Begin(context.Background(), sandbox.Limits{WallTime: time.Second, CPUTime: 100 * time.Millisecond}, printHost{})
	err = rt.Do(func(vm *goja.Runtime) error {
		_, err := vm.RunString(`
			console.log('starting');
			setTimeout((name) => console.warn('hello, %s', name), 10, 'world');
			Promise.resolve().then(() => console.log('microtask'));
			Promise.reject(new Error('nobody listens'));
		`)
		return err
	})
	fmt.Println("first turn:", err)
	err = rt.Wait(nil)
	fmt.Println("loop idle:", errors.Is(err, sandbox.ErrIdle))
	u := rt.End()
	fmt.Println("ended early:", u.Err)
	// Output:
	// [info] starting
	// [info] microtask
	// unhandled: Error: nobody listens
	// first turn: <nil>
	// [warn] hello, world
	// loop idle: true
	// ended early: <nil>
}

// A script that runs past a limit is stopped, and the runtime is not reused.
func ExampleLimitError() {
	rt, err := sandbox.New(nil)
	if err != nil {
		panic(err)
	}
	rt.Begin(context.Background(), sandbox.Limits{WallTime: 5 * time.Second, CPUTime: 50 * time.Millisecond}, nil)
	err = rt.Do(func(vm *goja.Runtime) error {
		_, err := vm.RunString(`for (;;) {}`)
		return err
	})
	rt.End()
	fmt.Println(err)
	fmt.Println("CPU time:", errors.Is(err, sandbox.ErrCPUTimeExceeded))
	var le *sandbox.LimitError
	if errors.As(err, &le) {
		fmt.Println("limit:", le.Limit)
	}
	fmt.Println("reusable:", rt.Reusable())
	// Output:
	// sandbox: CPU-time limit exceeded (limit 50ms)
	// CPU time: true
	// limit: 50ms
	// reusable: false
}
