package engine_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/hookengine/hookengine/engine"
	"github.com/hookengine/hookengine/triggers"
)

// BenchmarkIsolation measures one run of a typical hook, one after the
// other, in this process and in a worker process: warm (the hook's runtime
// is kept between runs) and cold (FreshRuntime: a new runtime and module
// set-up every run). The difference is the worker tier's cost: a frame to
// the worker and one back per run, plus the console line it streams.
func BenchmarkIsolation(b *testing.B) {
	src, err := os.ReadFile(filepath.Join("..", "testdata", "hooks", "pre-user-registration", "metadata.js"))
	if err != nil {
		b.Fatal(err)
	}
	in, err := os.ReadFile(filepath.Join("..", "testdata", "inputs", "pre-user-registration.json"))
	if err != nil {
		b.Fatal(err)
	}
	modes := []struct {
		name string
		opts []engine.Option
	}{
		{"in-process", nil},
		{"process", []engine.Option{engine.WithProcessIsolation(engine.ProcessIsolation{Workers: 1})}},
	}
	for _, m := range modes {
		e, err := engine.New(m.opts...)
		if err != nil {
			b.Fatal(err)
		}
		for _, fresh := range []bool{false, true} {
			name := m.name + "/warm"
			if fresh {
				name = m.name + "/cold"
			}
			b.Run(name, func(b *testing.B) {
				h := engine.Hook{Name: "bench", Trigger: triggers.PreUserRegistration, Script: string(src), FreshRuntime: fresh}
				b.ReportAllocs()
				for b.Loop() {
					res, err := e.Run(context.Background(), h, in)
					if err != nil || !res.Envelope.Succeeded() {
						b.Fatalf("%v %s", err, res.Envelope.Data)
					}
				}
			})
		}
		e.Close()
	}
}
