package hookbench

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hookengine/hookengine/engine"
	"github.com/hookengine/hookengine/internal/redact"
	"github.com/hookengine/hookengine/internal/sysinfo"
	"github.com/hookengine/hookengine/sandbox/fetch"
	"github.com/hookengine/hookengine/triggers"
)

// Defaults of Config.
const (
	// DefaultTime is how long each case's warm runs go on when neither
	// Count nor Time is set.
	DefaultTime = time.Second
	// DefaultWarmup is how many runs of each case are not counted.
	DefaultWarmup = 10
	// DefaultSamples is how many rounds each case's warm runs are split
	// into: the samples of the gobench format, as go test -count 10 gives
	// them, which benchstat needs to tell a change from noise.
	DefaultSamples = 10
	// DefaultCold is how many cold runs (a new engine, a fresh compile, a
	// new runtime) each case is measured over.
	DefaultCold = 10
	// retainedCopies is how many copies of a hook the retained-memory
	// measurement keeps warm at once, to average the noise of the heap.
	retainedCopies = 8
	// maxRuns bounds the warm runs of one case, and so the memory their
	// samples take.
	maxRuns = 1 << 22
)

// ErrCount reports a Config that asks for no runs, or a negative number of
// them.
var ErrCount = errors.New("hookbench: the number of runs must be positive")

// Case is one script on one input. Run does not modify it.
type Case struct {
	// Name names the case in reports, such as "metadata.js" or
	// "metadata.js/signup.json". Cases of one benchmark have distinct
	// names.
	Name string
	// Hook is the hook run; its Trigger and Script are required.
	Hook engine.Hook
	// Input is the trigger's request body, as JSON.
	Input []byte
}

// Config says what to measure and how. Zero fields take the defaults. Run
// does not modify it; Progress is called from Run's goroutine only.
type Config struct {
	// Cases are measured interleaved, round by round; the first is the
	// baseline the others are compared with.
	Cases []Case
	// Options configure the engines (limits, logger, isolation...); each
	// case runs on an engine of its own made with them. Fetch options go in
	// Fetch, not here.
	Options []engine.Option
	// Limits are the limits the engines run with, as given to
	// engine.WithLimits in Options; Run reports CPU time as a share of
	// Limits.CPUTime (default engine.DefaultCPUTime).
	Limits engine.Limits
	// Fetch configures the hooks' fetch.
	Fetch engine.FetchOptions
	// Stubs, when any, answer every fetch of the hooks locally (see
	// Stub); a request no stub matches fails.
	Stubs []*Stub
	// Isolation describes where hooks run, for the report ("in-process"
	// when empty); Options must agree.
	Isolation string
	// Count is how many warm runs each case is measured over. When zero,
	// Time bounds them instead.
	Count int
	// Time is how long each case's warm runs go on, when Count is zero.
	// Default DefaultTime.
	Time time.Duration
	// Warmup is how many runs of each case come first, not counted.
	// Default DefaultWarmup; negative means none.
	Warmup int
	// Samples is how many rounds the warm runs are split into. Default
	// DefaultSamples, at most Count.
	Samples int
	// Concurrency is how many runs of a case are in flight at once.
	// Default 1.
	Concurrency int
	// Cold is how many cold runs each case is measured over. Default
	// DefaultCold; negative means none.
	Cold int
	// SkipRetained skips measuring the memory a warm hook keeps (which
	// forces collections and costs a few fresh compiles).
	SkipRetained bool
	// Progress, when set, is called after each step of the benchmark with
	// the steps done and the steps in all; it is never called while runs
	// are being measured.
	Progress func(done, total int)
}

// withDefaults returns c with its zero fields set, or an error for values
// that make no sense.
func (c Config) withDefaults() (Config, error) {
	if len(c.Cases) == 0 {
		return c, errors.New("hookbench: no case to measure")
	}
	seen := map[string]bool{}
	for _, k := range c.Cases {
		if k.Name == "" || seen[k.Name] {
			return c, fmt.Errorf("hookbench: case names must be distinct and not empty: %q", k.Name)
		}
		seen[k.Name] = true
	}
	if c.Count < 0 || c.Time < 0 || c.Concurrency < 0 || c.Samples < 0 {
		return c, ErrCount
	}
	if c.Count > maxRuns {
		return c, fmt.Errorf("hookbench: at most %d runs per case", maxRuns)
	}
	if c.Count == 0 && c.Time == 0 {
		c.Time = DefaultTime
	}
	switch {
	case c.Warmup == 0:
		c.Warmup = DefaultWarmup
	case c.Warmup < 0:
		c.Warmup = 0
	}
	if c.Samples == 0 {
		c.Samples = DefaultSamples
	}
	if c.Count > 0 && c.Samples > c.Count {
		c.Samples = c.Count
	}
	if c.Concurrency == 0 {
		c.Concurrency = 1
	}
	switch {
	case c.Cold == 0:
		c.Cold = DefaultCold
	case c.Cold < 0:
		c.Cold = 0
	}
	if c.Limits.CPUTime <= 0 {
		c.Limits.CPUTime = engine.DefaultCPUTime
	}
	if c.Limits.WallTime <= 0 {
		c.Limits.WallTime = engine.DefaultWallTime
	}
	if c.Isolation == "" {
		c.Isolation = "in-process"
	}
	return c, nil
}

// bench is one case being measured.
type bench struct {
	c    *Case
	e    *engine.Engine
	stub *stubTransport

	wall, cpu []float64 // per run, in nanoseconds
	outcomes  map[string]int
	errors    map[string]string // the first message of each failed class
	samples   []Sample
	elapsed   time.Duration // of the measured rounds, summed
	cold      []run
	retained  *float64

	fetchBefore fetch.Stats
	stubBefore  stubStats
}

// run is what one run cost and how it ended.
type run struct {
	wall, cpu time.Duration
	class     string
	// msg says why a run that did not succeed failed (the error, or the
	// message the hook called back with), secrets redacted.
	msg string
}

// newRun describes a run that took wall and returned res and err.
func newRun(h *engine.Hook, wall time.Duration, res *engine.Result, err error) run {
	r := run{wall: wall, class: Classify(res, err)}
	if res != nil {
		r.cpu = res.CPUTime
	}
	switch {
	case err != nil:
		r.msg = err.Error()
	case r.class == "callback_error":
		if f := triggers.ParseFailure(res.Envelope); f != nil {
			r.msg = f.Message
		}
	}
	if r.msg != "" && len(h.Secrets) > 0 {
		r.msg = redact.FromMap(h.Secrets).Value(r.msg)
	}
	return r
}

// Run measures cfg's cases and returns the report. It fails before
// measuring anything when a case's hook does not compile, its trigger is
// unknown or its input is not JSON. Cancelling ctx stops the benchmark and
// returns ctx's error. Run is safe to call from several goroutines, but
// benchmarks running at the same time disturb each other's figures.
func Run(ctx context.Context, cfg Config) (*Report, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	benches := make([]*bench, len(cfg.Cases))
	defer func() {
		for _, b := range benches {
			if b != nil && b.e != nil {
				_ = b.e.Close()
			}
		}
	}()
	for i := range cfg.Cases {
		c := &cfg.Cases[i]
		if err := checkCase(c); err != nil {
			return nil, err
		}
		b := &bench{c: c, outcomes: map[string]int{}, errors: map[string]string{}}
		if len(cfg.Stubs) > 0 {
			b.stub = newStubTransport(cfg.Stubs)
		}
		if b.e, err = newEngine(&cfg, b.stub); err != nil {
			return nil, err
		}
		if err := b.e.Compile(c.Hook); errors.Is(err, engine.ErrCompile) {
			return nil, fmt.Errorf("hookbench: %s does not compile: %w", c.Name, err)
		} else if err != nil {
			return nil, fmt.Errorf("hookbench: %s: %w", c.Name, err)
		}
		benches[i] = b
	}

	steps, done := len(benches)*(1+cfg.Samples+cfg.Cold), 0
	if !cfg.SkipRetained {
		steps += len(benches)
	}
	step := func() {
		done++
		if cfg.Progress != nil {
			cfg.Progress(done, steps)
		}
	}
	start := time.Now()
	for _, b := range benches {
		if _, err := b.round(ctx, &cfg, cfg.Warmup, 0, nil); err != nil {
			return nil, err
		}
		b.fetchBefore, b.stubBefore = b.e.FetchStats(), b.stub.stats()
		step()
	}
	for r := range cfg.Samples {
		for _, b := range benches {
			n, d := 0, time.Duration(0)
			if cfg.Count > 0 {
				n = cfg.Count/cfg.Samples + btoi(r < cfg.Count%cfg.Samples)
			} else {
				d = cfg.Time / time.Duration(cfg.Samples)
			}
			s, err := b.round(ctx, &cfg, n, d, b)
			if err != nil {
				return nil, err
			}
			b.samples = append(b.samples, s)
			step()
		}
	}
	for range cfg.Cold {
		for _, b := range benches {
			r, err := coldRun(ctx, &cfg, b.c)
			if err != nil {
				return nil, err
			}
			b.cold = append(b.cold, r)
			step()
		}
	}
	if !cfg.SkipRetained && cfg.Isolation == "in-process" {
		for _, b := range benches {
			v, err := retained(ctx, &cfg, b.c)
			if err != nil {
				return nil, err
			}
			b.retained = &v
			step()
		}
	}
	return newReport(&cfg, benches, start), nil
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// checkCase checks what can be checked without an engine.
func checkCase(c *Case) error {
	if _, ok := triggers.Lookup(c.Hook.Trigger); !ok {
		return fmt.Errorf("hookbench: %s: %w %q", c.Name, engine.ErrUnknownTrigger, c.Hook.Trigger)
	}
	if !jsonValid(c.Input) {
		return fmt.Errorf("hookbench: %s: %w: the input is not JSON", c.Name, engine.ErrInvalidInput)
	}
	return nil
}

// newEngine makes an engine with cfg's options, its fetch answered by stub
// when there is one.
func newEngine(cfg *Config, stub *stubTransport) (*engine.Engine, error) {
	fo := cfg.Fetch
	if stub != nil {
		fo.Transport = stub
	}
	return engine.New(append(append([]engine.Option(nil), cfg.Options...), engine.WithFetch(fo))...)
}

// round runs the case n times (or for d when n is zero) with
// cfg.Concurrency runs in flight, and returns the round's sample. When into
// is nil the runs are not recorded (a warm-up).
func (b *bench) round(ctx context.Context, cfg *Config, n int, d time.Duration, into *bench) (Sample, error) {
	if n <= 0 && d <= 0 {
		return Sample{}, nil
	}
	var (
		next     atomic.Int64
		deadline time.Time
		mu       sync.Mutex
		runs     []run
		wg       sync.WaitGroup
		firstErr error
	)
	runtime.GC() // so that a collection owed to earlier rounds falls less often in this one
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	start := time.Now()
	if n <= 0 {
		deadline = start.Add(d)
	}
	for range cfg.Concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			local := make([]run, 0, 64)
			for ctx.Err() == nil {
				if n > 0 {
					if next.Add(1) > int64(n) {
						break
					}
				} else if !time.Now().Before(deadline) || next.Add(1) > maxRuns/int64(cfg.Samples) {
					break
				}
				t0 := time.Now()
				res, err := b.e.Run(ctx, b.c.Hook, b.c.Input)
				r := newRun(&b.c.Hook, time.Since(t0), res, err)
				if errors.Is(err, engine.ErrClosed) {
					mu.Lock()
					firstErr = err
					mu.Unlock()
					break
				}
				local = append(local, r)
			}
			mu.Lock()
			runs = append(runs, local...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	runtime.ReadMemStats(&after)
	if err := ctx.Err(); err != nil {
		return Sample{}, err
	}
	if firstErr != nil {
		return Sample{}, firstErr
	}
	if into == nil || len(runs) == 0 {
		return Sample{}, nil
	}
	s := Sample{Runs: len(runs), Elapsed: elapsed}
	var wallSum, cpuSum time.Duration
	for _, r := range runs {
		into.wall = append(into.wall, float64(r.wall))
		into.cpu = append(into.cpu, float64(r.cpu))
		into.outcomes[r.class]++
		if _, seen := into.errors[r.class]; r.msg != "" && !seen {
			into.errors[r.class] = r.msg
		}
		wallSum += r.wall
		cpuSum += r.cpu
	}
	into.elapsed += elapsed
	nr := float64(len(runs))
	s.WallNs = float64(wallSum) / nr
	s.CPUNs = float64(cpuSum) / nr
	s.Allocs = float64(after.Mallocs-before.Mallocs) / nr
	s.Bytes = float64(after.TotalAlloc-before.TotalAlloc) / nr
	return s, nil
}

// coldRun runs c once on a new engine: a fresh compile, a new runtime.
// Only the run is timed, not making or closing the engine.
func coldRun(ctx context.Context, cfg *Config, c *Case) (run, error) {
	var stub *stubTransport
	if len(cfg.Stubs) > 0 {
		stub = newStubTransport(cfg.Stubs)
	}
	e, err := newEngine(cfg, stub)
	if err != nil {
		return run{}, err
	}
	defer e.Close()
	t0 := time.Now()
	res, err := e.Run(ctx, c.Hook, c.Input)
	return newRun(&c.Hook, time.Since(t0), res, err), ctx.Err()
}

// retained measures the memory a warm hook of case c keeps, on a new
// engine.
func retained(ctx context.Context, cfg *Config, c *Case) (float64, error) {
	var stub *stubTransport
	if len(cfg.Stubs) > 0 {
		stub = newStubTransport(cfg.Stubs)
	}
	e, err := newEngine(cfg, stub)
	if err != nil {
		return 0, err
	}
	defer e.Close()
	return RetainedBytes(ctx, e, c.Hook, c.Input)
}

// RetainedBytes measures the memory a warm hook keeps between runs: its
// compiled program and an idle runtime. It runs a few copies of h
// (distinct scripts, so that each is compiled and kept apart; distinct ids)
// once each on e, which should run nothing else meanwhile, and divides the
// growth of the live heap and goroutine stacks, measured after two
// collections, by the number of copies. It fails only when ctx ends or the
// script does not compile; runs that end in error still count. The heap is
// the whole process's: when other goroutines free more than the copies keep
// (a test binary running tests in parallel), the growth is negative and 0 is
// reported. In-process engines only: with process isolation the hooks live
// in the workers.
func RetainedBytes(ctx context.Context, e *engine.Engine, h engine.Hook, input any) (float64, error) {
	before := liveBytes()
	for i := range retainedCopies {
		c := h
		c.ID = "hookbench-retained-" + strconv.Itoa(i)
		c.Script += "\n// copy " + strconv.Itoa(i) + "\n"
		if _, err := e.Run(ctx, c, input); ctx.Err() != nil {
			return 0, ctx.Err()
		} else if errors.Is(err, engine.ErrCompile) {
			return 0, err
		}
	}
	after := liveBytes()
	runtime.KeepAlive(e)
	return float64(max(after-before, 0)) / retainedCopies, nil
}

// liveBytes is the live heap plus goroutine stacks after two collections.
func liveBytes() int64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return int64(m.HeapAlloc) + int64(m.StackInuse)
}

// Classify names how a run ended: "success", "callback_error" (the hook
// called back with an error: a denial, an OAuth error), "thrown", or the
// code of the engine's error envelope ("cpu_time_exceeded",
// "wall_time_exceeded", "memory_exceeded", "compile_error",
// "invalid_input", "no_callback"...).
func Classify(res *engine.Result, err error) string {
	if err == nil {
		if res != nil && !res.Envelope.Succeeded() {
			return "callback_error"
		}
		return "success"
	}
	if errors.Is(err, engine.ErrThrown) {
		return "thrown"
	}
	if res != nil {
		if f := triggers.ParseFailure(res.Envelope); f != nil && f.Code != "" {
			return f.Code
		}
	}
	return "error"
}

// machine describes where the benchmark ran.
func machine() Machine {
	return Machine{
		CPU:        sysinfo.CPUModel(),
		NumCPU:     runtime.NumCPU(),
		GOMAXPROCS: runtime.GOMAXPROCS(0),
		GOOS:       runtime.GOOS,
		GOARCH:     runtime.GOARCH,
		Go:         runtime.Version(),
	}
}
