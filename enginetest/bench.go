package enginetest

import (
	"context"
	"testing"
	"time"

	"github.com/hookengine/hookengine/engine"
	"github.com/hookengine/hookengine/internal/hookbench"
)

// BenchMode says which run of a hook a benchmark measures. It is a plain
// value, safe for concurrent use.
type BenchMode int

const (
	// Warm measures runs of a hook whose script is compiled and whose
	// runtime is warm: what every run but the first costs.
	Warm BenchMode = iota
	// Cold measures the first run of a hook on a new engine: compile, new
	// runtime, run. Making and closing the engine are not timed.
	Cold
)

func (m BenchMode) String() string {
	if m == Cold {
		return "cold"
	}
	return "warm"
}

// Benchmark runs hook on input b.N times and reports, besides ns/op and the
// allocations, what the run cost the way hooks bench reports it:
// cpu-ns/op, the CPU time charged to the runs (see engine.Result.CPUTime),
// and, for Warm, retained-B, the memory a warm hook keeps between runs (its
// program and an idle runtime, see hookbench.RetainedBytes). Engines are
// made with opts, log to b and are closed when the benchmark ends. A run
// that returns an error (a limit, a compile error, a throw) fails the
// benchmark; a hook that calls back with an error does not.
//
//	func BenchmarkMyHook(b *testing.B) {
//		enginetest.Benchmark(b, enginetest.Warm, hook, input)
//	}
func Benchmark(b *testing.B, mode BenchMode, hook engine.Hook, input any, opts ...engine.Option) {
	b.Helper()
	ctx := context.Background()
	b.ReportAllocs()
	var cpu time.Duration
	runs := 0
	check := func(res *engine.Result, err error) {
		if err != nil {
			b.Fatalf("enginetest: %s run of %q: %v", mode, hook.Name, err)
		}
		cpu += res.CPUTime
		runs++
	}
	switch mode {
	case Cold:
		for b.Loop() {
			b.StopTimer()
			e, err := engine.New(opts...)
			if err != nil {
				b.Fatalf("enginetest: engine.New: %v", err)
			}
			b.StartTimer()
			res, err := e.Run(ctx, hook, input)
			b.StopTimer()
			_ = e.Close()
			b.StartTimer()
			check(res, err)
		}
	default:
		e := New(b, opts...)
		check(e.Run(ctx, hook, input)) // compile, and warm a runtime
		cpu, runs = 0, 0
		for b.Loop() {
			check(e.Run(ctx, hook, input))
		}
		b.StopTimer()
		kept, err := hookbench.RetainedBytes(ctx, New(b, opts...), hook, input)
		if err != nil {
			b.Fatalf("enginetest: measuring the retained memory: %v", err)
		}
		b.ReportMetric(kept, "retained-B")
	}
	if runs > 0 {
		b.ReportMetric(float64(cpu)/float64(runs), "cpu-ns/op")
	}
}
