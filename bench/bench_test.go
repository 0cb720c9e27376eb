package bench

import (
	"context"
	"errors"
	"math"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/dop251/goja"

	"github.com/hookengine/hookengine/engine"
	"github.com/hookengine/hookengine/sandbox"
)

// One Benchmark per scenario, one sub-benchmark per contender. The Node
// contenders of the same scenarios are in node/harness.js and print the
// same benchmark names.

func BenchmarkWarmCredentialsExchange(b *testing.B) {
	benchScenario(b, "credentials-exchange", warm)
}

func BenchmarkWarmPreUserRegistration(b *testing.B) {
	benchScenario(b, "pre-user-registration", warm)
}

func BenchmarkWarmPostUserRegistration(b *testing.B) {
	benchScenario(b, "post-user-registration", warm)
}

func BenchmarkWarmPostChangePassword(b *testing.B) {
	benchScenario(b, "post-change-password", warm)
}

func BenchmarkWarmSendPhoneMessage(b *testing.B) {
	benchScenario(b, "send-phone-message", warm)
}

// BenchmarkColdPreUserRegistration runs a script never seen before on every
// call: compile, runtime set-up and the first run.
func BenchmarkColdPreUserRegistration(b *testing.B) {
	benchScenario(b, "pre-user-registration", cold)
}

// BenchmarkCPUHeavy runs a hook whose own work dominates: loops, string
// building, JSON.parse of a 6 KB secret and JSON.stringify.
func BenchmarkCPUHeavy(b *testing.B) {
	benchScenario(b, "cpu-heavy", warm)
}

// BenchmarkAsyncTimer runs an async hook awaiting a 1 ms timer and a
// promise chain. Every contender waits for the same timer, so the time per
// call is 1 ms plus what the contender adds.
func BenchmarkAsyncTimer(b *testing.B) {
	benchScenario(b, "async-timer", warm)
}

func benchScenario(b *testing.B, name string, m mode) {
	benchContenders(b, loadWorkload(b, name), m, goContenders())
}

// benchContenders runs workload w in mode m through each contender that
// supports it, one sub-benchmark each.
func benchContenders(b *testing.B, w *workload, m mode, contenders []contender) {
	for _, c := range contenders {
		if !c.supports(w, m) {
			continue
		}
		b.Run(c.name, func(b *testing.B) {
			r := c.open(b, w, m)
			defer r.close()
			call := r.caller(b)
			// The first call sets the contender up (compile, runtime).
			if _, err := call(); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			cpu := processCPU()
			for b.Loop() {
				if _, err := call(); err != nil {
					b.Fatal(err)
				}
			}
			// The process's CPU time per call, next to the caller's wall
			// time: it includes work done off the caller's goroutine (the
			// collector, spare runtimes built in the background), but not
			// a worker process's.
			b.ReportMetric(float64(processCPU()-cpu)/float64(b.N), "cpu-ns/op")
		})
	}
}

// BenchmarkParallelPreUserRegistration runs the warm pre-user-registration
// hook on every core at once (b.RunParallel, one goroutine per GOMAXPROCS).
// Its ns/op is wall time divided by calls: compare it with
// BenchmarkOneCorePreUserRegistration's for the speed-up from more cores.
func BenchmarkParallelPreUserRegistration(b *testing.B) {
	benchParallel(b, 0)
}

// BenchmarkOneCorePreUserRegistration is BenchmarkParallelPreUserRegistration
// on one core: GOMAXPROCS 1 for its duration, in this process and (through
// the GOMAXPROCS variable, which they inherit) in the worker processes it
// starts, so one goroutine runs hooks and the collector shares its core.
// Parallel's time over this one's is the speed-up that more cores give.
func BenchmarkOneCorePreUserRegistration(b *testing.B) {
	b.Setenv("GOMAXPROCS", "1")
	benchParallel(b, 1)
}

// benchParallel runs the warm pre-user-registration hook on GOMAXPROCS
// goroutines at once, for each contender; procs, when not 0, is the
// GOMAXPROCS of each run (the testing package sets its own before each
// sub-benchmark).
func benchParallel(b *testing.B, procs int) {
	w := loadWorkload(b, "pre-user-registration")
	for _, c := range goContenders() {
		if !c.supports(w, warm) {
			continue
		}
		b.Run(c.name, func(b *testing.B) {
			if procs > 0 {
				defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
			}
			r := c.open(b, w, warm)
			defer r.close()
			// One warm caller per goroutine, made before the clock starts.
			procs := runtime.GOMAXPROCS(0)
			callers := make(chan func() (string, error), procs)
			for range procs {
				call := r.caller(b)
				if _, err := call(); err != nil {
					b.Fatal(err)
				}
				callers <- call
			}
			b.ReportAllocs()
			b.ResetTimer()
			cpu := processCPU()
			b.RunParallel(func(pb *testing.PB) {
				var call func() (string, error)
				select {
				case call = <-callers:
				default:
					call = r.caller(b)
				}
				for pb.Next() {
					if _, err := call(); err != nil {
						b.Error(err)
						return
					}
				}
			})
			b.ReportMetric(float64(processCPU()-cpu)/float64(b.N), "cpu-ns/op")
		})
	}
}

// retainedHooks is how many hooks the memory benchmark keeps warm at once.
const retainedHooks = 64

// BenchmarkRetainedMemory reports the heap (and goroutine stacks) a warm hook
// keeps between runs, as retained-B/hook: the live memory after
// retainedHooks hooks have each run once, less the memory before, divided by
// retainedHooks, measured after two collections. ns/op is meaningless here.
//
//   - hookengine: distinct scripts, each compiled, cached and run once, so
//     each keeps its program and one warm runtime;
//   - hookengine-program-only: distinct scripts compiled (Engine.Compile)
//     but never run;
//   - hookengine-runtime-only: one script under distinct hook ids, so each
//     keeps one warm runtime and they share the program;
//   - goja-reused-runtime and otto-reused-runtime: a runtime with the driver
//     and the hook loaded, run once.
func BenchmarkRetainedMemory(b *testing.B) {
	w := loadWorkload(b, "pre-user-registration")
	ctx := context.Background()
	hookN := func(i int, distinctScript bool) engine.Hook {
		h := engine.Hook{
			ID:      "bench-memory-" + strconv.Itoa(i),
			Name:    w.Name,
			Trigger: w.Trigger,
			Script:  w.script,
		}
		if distinctScript {
			h.Script += "\n// tenant " + strconv.Itoa(i) + "\n"
		}
		return h
	}
	hookengine := func(distinct, run bool, wantPrograms, wantIdle int) func(b *testing.B) {
		return func(b *testing.B) {
			measureRetained(b, func() (func(int), func()) {
				e, err := engine.New(engine.WithLimits(hookengineLimits))
				if err != nil {
					b.Fatal(err)
				}
				add := func(i int) {
					h := hookN(i, distinct)
					if !run {
						if err := e.Compile(h); err != nil {
							b.Fatal(err)
						}
						return
					}
					if _, err := e.Run(ctx, h, w.input); err != nil {
						b.Fatal(err)
					}
				}
				done := func() {
					if s := e.Stats(); s.CachedPrograms != wantPrograms || s.IdleRuntimes != wantIdle {
						b.Fatalf("the engine keeps %d programs and %d idle runtimes, want %d and %d",
							s.CachedPrograms, s.IdleRuntimes, wantPrograms, wantIdle)
					}
					_ = e.Close()
				}
				return add, done
			})
		}
	}
	b.Run("hookengine", hookengine(true, true, retainedHooks, retainedHooks))
	b.Run("hookengine-program-only", hookengine(true, false, retainedHooks, 0))
	b.Run("hookengine-runtime-only", hookengine(false, true, 1, retainedHooks))
	// What a spare runtime (engine.WithSpareRuntimes) holds at rest: a
	// sandbox runtime set up, no hook loaded, never run.
	b.Run("hookengine-spare-runtime", func(b *testing.B) {
		measureRetained(b, func() (func(int), func()) {
			var keep []*sandbox.Runtime
			add := func(int) {
				rt, err := sandbox.New(nil)
				if err != nil {
					b.Fatal(err)
				}
				keep = append(keep, rt)
			}
			return add, func() { runtime.KeepAlive(keep) }
		})
	})
	b.Run("goja-reused-runtime", func(b *testing.B) {
		prog := mustCompileHook(b, w.script)
		measureRetained(b, func() (func(int), func()) {
			var keep []*gojaHook
			add := func(int) {
				g, err := loadGoja(goja.New(), prog, w)
				if err != nil {
					b.Fatal(err)
				}
				if _, err := g.callSync(string(w.input)); err != nil {
					b.Fatal(err)
				}
				keep = append(keep, g)
			}
			return add, func() { runtime.KeepAlive(keep) }
		})
	})
	// QuickJS keeps its heap in memory its C allocator maps outside Go's
	// heap: its figure is the growth of the process's resident memory
	// (Go's heap included), which counts pages touched, not bytes live.
	b.Run("quickjs-reused-vm", func(b *testing.B) {
		var total float64
		for b.Loop() {
			var keep []*quickjsHook
			before := residentBytes(b)
			for range retainedHooks {
				h, err := loadQuickJS(w.script, w)
				if err != nil {
					b.Fatal(err)
				}
				if _, err := h.call(string(w.Trigger), string(w.input)); err != nil {
					b.Fatal(err)
				}
				keep = append(keep, h)
			}
			total += float64(residentBytes(b)-before) / retainedHooks
			for _, h := range keep {
				h.close()
			}
		}
		b.ReportMetric(total/float64(b.N), "retained-B/hook")
	})
	b.Run("otto-reused-runtime", func(b *testing.B) {
		measureRetained(b, func() (func(int), func()) {
			var keep []*ottoHook
			add := func(int) {
				h, err := loadOtto(w.script, w)
				if err != nil {
					b.Fatal(err)
				}
				if _, err := h.call(string(w.Trigger), string(w.input)); err != nil {
					b.Fatal(err)
				}
				keep = append(keep, h)
			}
			return add, func() { runtime.KeepAlive(keep) }
		})
	})
}

// measureRetained runs setup, adds retainedHooks hooks with add, and reports
// the memory they keep; done runs after the measurement.
func measureRetained(b *testing.B, setup func() (add func(int), done func())) {
	var total float64
	for b.Loop() {
		add, done := setup()
		before := liveBytes()
		for i := range retainedHooks {
			add(i)
		}
		after := liveBytes()
		done()
		total += float64(after-before) / retainedHooks
	}
	b.ReportMetric(total/float64(b.N), "retained-B/hook")
}

// residentBytes is the process's resident memory after two collections,
// from /proc/self/statm.
func residentBytes(b *testing.B) int64 {
	runtime.GC()
	runtime.GC()
	text, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		b.Skipf("no resident memory figure here: %v", err)
	}
	fields := strings.Fields(string(text))
	if len(fields) < 2 {
		b.Fatalf("/proc/self/statm: %q", text)
	}
	pages, err := strconv.ParseInt(fields[1], 10, 64)
	if err != nil {
		b.Fatal(err)
	}
	return pages * int64(os.Getpagesize())
}

// liveBytes is the live heap plus goroutine stacks after two collections.
func liveBytes() int64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return int64(m.HeapAlloc) + int64(m.StackInuse)
}

// latencyLimit is the CPU limit of the latency benchmark.
const latencyLimit = 100 * time.Millisecond

// BenchmarkCPULimitLatency runs a hook stuck in an endless loop under a
// 100 ms limit and reports how long each run takes to return, as the
// percentiles p50-ms, p99-ms and max-ms over the benchmark's iterations. Run
// it with -benchtime=100x for the 100 runs of the target. hookengine's limit
// is CPU time; goja and otto have only wall-clock interrupts, armed here as
// their users arm them (a timer that interrupts the runtime).
func BenchmarkCPULimitLatency(b *testing.B) {
	w := loadWorkload(b, "infinite-loop")
	input := string(w.input)
	b.Run("hookengine", func(b *testing.B) {
		r := newHookengine(b, w, warm, engine.Limits{
			WallTime:   engine.DefaultWallTime,
			CPUTime:    latencyLimit,
			StackDepth: engine.DefaultStackDepth,
		})
		defer r.close()
		ctx := context.Background()
		var samples, charged []time.Duration
		for b.Loop() {
			start := time.Now()
			res, err := r.e.Run(ctx, r.hook, r.input)
			samples = append(samples, time.Since(start))
			if !errors.Is(err, engine.ErrCPUTimeExceeded) {
				b.Fatalf("the endless hook ended with %v, want %v", err, engine.ErrCPUTimeExceeded)
			}
			charged = append(charged, res.CPUTime)
		}
		reportLatency(b, samples, "")
		// The CPU time the engine charged: with a CPU-time limit, a run
		// whose thread waits for a core takes longer than the limit in wall
		// time, and this tells the two apart.
		reportLatency(b, charged, "cpu-")
	})
	b.Run("goja-reused-runtime", func(b *testing.B) {
		g, err := loadGoja(goja.New(), mustCompileHook(b, w.script), w)
		if err != nil {
			b.Fatal(err)
		}
		var samples []time.Duration
		for b.Loop() {
			start := time.Now()
			err := g.callWithTimeout(input, latencyLimit)
			samples = append(samples, time.Since(start))
			var ie *goja.InterruptedError
			if !errors.As(err, &ie) {
				b.Fatalf("the endless hook ended with %v, want an interrupt", err)
			}
		}
		reportLatency(b, samples, "")
	})
	// QuickJS's interrupt handler ends a call past its eval timeout (wall
	// clock), re-armed on every call.
	b.Run("quickjs-reused-vm", func(b *testing.B) {
		h, err := loadQuickJS(w.script, w)
		if err != nil {
			b.Fatal(err)
		}
		defer h.close()
		if err := h.vm.SetEvalTimeout(latencyLimit); err != nil {
			b.Fatal(err)
		}
		trigger := string(w.Trigger)
		var samples []time.Duration
		for b.Loop() {
			start := time.Now()
			_, err := h.call(trigger, input)
			samples = append(samples, time.Since(start))
			if err == nil || !strings.Contains(err.Error(), "interrupted") {
				b.Fatalf("the endless hook ended with %v, want an interrupt", err)
			}
		}
		reportLatency(b, samples, "")
	})
	b.Run("otto-reused-runtime", func(b *testing.B) {
		h, err := loadOtto(w.script, w)
		if err != nil {
			b.Fatal(err)
		}
		trigger := string(w.Trigger)
		var samples []time.Duration
		for b.Loop() {
			start := time.Now()
			err := h.callWithTimeout(trigger, input, latencyLimit)
			samples = append(samples, time.Since(start))
			if !errors.Is(err, errOttoHalt) {
				b.Fatalf("the endless hook ended with %v, want the halt", err)
			}
		}
		reportLatency(b, samples, "")
	})
}

// reportLatency reports nearest-rank percentiles of samples in
// milliseconds, as prefix+"p50-ms", prefix+"p99-ms" and prefix+"max-ms".
func reportLatency(b *testing.B, samples []time.Duration, prefix string) {
	if len(samples) == 0 {
		return
	}
	slices.Sort(samples)
	rank := func(p float64) time.Duration {
		return samples[int(math.Ceil(p*float64(len(samples))))-1]
	}
	ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
	b.ReportMetric(ms(rank(0.50)), prefix+"p50-ms")
	b.ReportMetric(ms(rank(0.99)), prefix+"p99-ms")
	b.ReportMetric(ms(samples[len(samples)-1]), prefix+"max-ms")
}
