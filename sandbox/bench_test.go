package sandbox_test

import (
	"context"
	"testing"

	"github.com/dop251/goja"

	"github.com/hookengine/hookengine/sandbox"
)

// BenchmarkNew measures making a runtime: goja's own set-up plus the
// globals, modules and guards hookengine installs. It is the bulk of a
// hook's cold start.
func BenchmarkNew(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := sandbox.New(nil); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkNewFirstUse is BenchmarkNew plus a first run that uses what a
// runtime builds on first use: the guards (an array method, JSON, Reflect),
// process and queueMicrotask.
func BenchmarkNewFirstUse(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		rt, err := sandbox.New(nil)
		if err != nil {
			b.Fatal(err)
		}
		rt.Begin(context.Background(), sandbox.Limits{}, nil)
		err = rt.Do(func(vm *goja.Runtime) error {
			_, err := vm.RunString(`JSON.stringify([1, 2].map((x) => x * 2)) + Reflect.apply(Math.max, null, [1]) + process.env + typeof queueMicrotask`)
			return err
		})
		rt.End()
		if err != nil {
			b.Fatal(err)
		}
	}
}
