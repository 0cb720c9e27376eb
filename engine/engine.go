package engine

import (
	"context"
	"fmt"
	"math"
	"runtime"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/otel/trace"
	"go.uber.org/zap"

	"github.com/hookengine/hookengine/internal/ulid"
	"github.com/hookengine/hookengine/modules"
	"github.com/hookengine/hookengine/sandbox"
	"github.com/hookengine/hookengine/sandbox/fetch"
	"github.com/hookengine/hookengine/triggers"
)

// Engine runs hook scripts: it compiles each script once, keeps warm
// runtimes per hook, and runs hooks under hard limits with the argument
// shapes, error classes and results of Auth0's Hooks runtime.
//
// An Engine is safe for concurrent use. Runs of different hooks never share
// a runtime; runs of the same hook reuse warm runtimes one at a time, so
// module-level state (variables outside the hook function) may persist
// between runs of one hook, as it did in Auth0's warm containers. Use
// WithFreshRuntimes or Hook.FreshRuntime where it must not.
type Engine struct {
	cfg      config
	log      *zap.Logger
	sbConfig sandbox.Config
	programs *programCache
	runtimes *runtimePool
	fetch    *fetch.Client
	ids      ulid.Generator
	tracer   trace.Tracer // nil: no spans

	stop     chan struct{}
	stopOnce sync.Once
	mu       sync.Mutex
	closed   bool
	wg       sync.WaitGroup // runs in progress, background work included
	requests sync.WaitGroup // goroutines sending the hooks' fetch requests

	stuck   stuckRuntimes
	drivers drivers
	// onStuck, when set, is called each time a run is abandoned (a worker
	// process asks its parent to replace it). Set before the first run.
	onStuck func()

	// workers runs hooks in worker processes (WithProcessIsolation); nil
	// runs them in this process.
	workers *workerPool

	// caches back the api.cache of Actions, one per trigger, as Auth0
	// scopes them.
	caches map[triggers.ID]*triggers.ActionCache
	// spares holds runtimes set up in advance (WithSpareRuntimes), which
	// the goroutine counted by spareWG keeps full.
	spares  chan *sandbox.Runtime
	spareWG sync.WaitGroup

	runs     atomic.Int64
	compiles atomic.Int64
	created  atomic.Int64
}

// New returns an engine configured by opts.
func New(opts ...Option) (*Engine, error) {
	c := config{
		logger:      zap.NewNop(),
		limits:      Limits{WallTime: DefaultWallTime, CPUTime: DefaultCPUTime, StackDepth: DefaultStackDepth, Memory: DefaultMemory},
		ceiling:     DefaultMemoryCeiling,
		clock:       sandbox.SystemClock(),
		programs:    DefaultProgramCacheSize,
		maxIdle:     DefaultMaxIdleRuntimes,
		modules:     modules.NewRegistry(),
		maxLogLines: DefaultMaxLogLines,
		maxLogBytes: DefaultMaxLogBytes,
		maxStuck:    DefaultMaxStuckRuntimes,
		stuckGrace:  DefaultStuckGrace,
	}
	for _, o := range opts {
		if err := o.apply(&c); err != nil {
			return nil, err
		}
	}
	if c.perHook == 0 {
		c.perHook = 2 * runtime.GOMAXPROCS(0)
	}
	if c.ceiling > 0 {
		softenGC(c.ceiling)
	}
	fo := c.fetch.Options
	fo.Clock = c.clock
	if fo.TracerProvider == nil {
		fo.TracerProvider = c.tracerProvider
	}
	fo.Logger = c.logger.Named("fetch")
	client, err := fetch.New(fo)
	if err != nil {
		return nil, err
	}
	e := &Engine{
		cfg:      c,
		log:      c.logger,
		programs: newProgramCache(c.programs),
		runtimes: newRuntimePool(c.maxIdle, c.perHook),
		fetch:    client,
		stop:     make(chan struct{}),
		caches:   make(map[triggers.ID]*triggers.ActionCache),
	}
	for _, id := range triggers.IDs() {
		e.caches[id] = triggers.NewActionCache(c.clock.Now)
	}
	if c.tracerProvider != nil {
		e.tracer = c.tracerProvider.Tracer(tracerName)
	}
	e.drivers.max = 4 * runtime.GOMAXPROCS(0)
	var fc sandbox.FetchClient = client
	if c.fetchClient != nil {
		fc = c.fetchClient
	}
	e.sbConfig = sandbox.Config{
		Clock: c.clock, Modules: c.modules, StackDepth: c.limits.StackDepth, Stop: e.stop, MemoryCeiling: c.ceiling,
		Fetch: &sandbox.FetchConfig{Client: fc, MaxRequests: c.fetch.MaxRequests, MaxConcurrent: c.fetch.MaxConcurrent,
			MaxRunBytes: c.fetch.MaxRunBytes, Requests: &e.requests},
	}
	if c.isolation != nil {
		if e.workers, err = newWorkerPool(e, *c.isolation); err != nil {
			return nil, err
		}
	} else if c.spares > 0 {
		// The first spares are built now, so that the first runs after
		// New (a worker process's, say) find them ready.
		e.spares = make(chan *sandbox.Runtime, c.spares)
		for range c.spares {
			rt, err := sandbox.New(&e.sbConfig)
			if err != nil {
				return nil, fmt.Errorf("engine: building a spare runtime: %w", err)
			}
			e.spares <- rt
		}
		e.spareWG.Add(1)
		go e.keepSpares()
	}
	return e, nil
}

// keepSpares builds runtimes into e.spares until the engine stops. It
// holds at most one more, built while the channel is full.
func (e *Engine) keepSpares() {
	defer e.spareWG.Done()
	for {
		rt, err := sandbox.New(&e.sbConfig)
		if err != nil {
			e.log.Error("building a spare runtime failed; no more spares are built", zap.Error(err))
			return
		}
		select {
		case e.spares <- rt:
		case <-e.stop:
			return
		}
	}
}

// newRuntime returns a spare runtime if one is ready, else builds one.
func (e *Engine) newRuntime() (*sandbox.Runtime, error) {
	select {
	case rt := <-e.spares:
		return rt, nil
	default:
	}
	return sandbox.New(&e.sbConfig)
}

// Run runs hook h on input and returns what it produced.
//
// input is the request body of the hook's extensibility point: JSON text as
// a string, []byte or json.RawMessage, or any Go value that encoding/json
// turns into it, such as triggers.PreUserRegistrationInput or a
// map[string]any. It is checked as Auth0 checked it before the script runs.
//
// Run returns once the hook has called back, or when the run ends otherwise.
// The error is nil when the hook called back, whether with a value or with an
// error: the envelope and the outcome tell which. Otherwise it is a
// *RunError saying what ended the run (ErrCompile, ErrInvalidInput,
// ErrThrown, ErrNoCallback, a limit, the context's error, ...), and the
// result still carries an error envelope describing it. When h.Dependencies
// are not satisfied the script does not run: the error wraps one
// *sandbox.DependencyError per problem and the envelope's code is
// "dependency_error". The result is nil only when the engine is closed or
// the trigger or h.Form is unknown.
//
// Cancelling ctx stops the script within milliseconds. Work the script
// leaves running after calling back goes on in the background, detached
// from ctx, until it finishes or reaches the hook's wall-time limit.
//
// Run returns at the latest a short grace after a limit, ctx or Close has
// ended the run, even when the script is inside a native call that never
// looks at the interrupt: the runtime is then abandoned (see
// WithStuckRuntimes), and a run of a hook that owns too many stuck runtimes
// fails at once with ErrHookQuarantined. With WithProcessIsolation the run
// happens in a worker process instead, which the engine kills when it does
// not answer in time.
func (e *Engine) Run(ctx context.Context, h Hook, input any) (*Result, error) {
	ctx, span := e.startRunSpan(ctx, &h)
	res, err := e.run(ctx, h, input, "")
	endRunSpan(span, res, err)
	return res, err
}

// run is Run with the run's execution id: a new one when id is empty, or
// the one a worker process's parent gave the run, so both log the same.
func (e *Engine) run(ctx context.Context, h Hook, input any, id string) (*Result, error) {
	t, err := lookup(&h)
	if err != nil {
		return nil, err
	}
	if !e.enter() {
		return nil, &RunError{HookID: h.ID, HookName: h.Name, Trigger: h.Trigger, Err: ErrClosed}
	}
	x := e.newExecution(&h, t, id)
	if err := e.cfg.modules.CheckDependencies(h.Dependencies); err != nil {
		// The script does not run: what it declares it needs is missing.
		x.finished, x.err = true, err
		x.env = triggers.ErrorEnvelope("message", "The hook's dependencies are not satisfied: "+err.Error(), "code", "dependency_error")
		return x.concludeEarly()
	}
	if e.workers != nil {
		return e.workers.run(ctx, x, input)
	}
	return x.run(ctx, input)
}

// RunAsync starts hook h on input and returns at once: the way
// post-user-registration and post-change-password hooks ran on Auth0, where
// the signup or password change did not wait for them. The run is detached
// from ctx's cancellation (it keeps ctx's values) and bounded by its limits;
// its failures are logged. RunAsync returns an error only when the run could
// not start: ErrClosed, an unknown trigger, or dependencies that are not
// satisfied (see Run).
func (e *Engine) RunAsync(ctx context.Context, h Hook, input any) error {
	t, err := lookup(&h)
	if err != nil {
		return err
	}
	if err := e.cfg.modules.CheckDependencies(h.Dependencies); err != nil {
		return &RunError{HookID: h.ID, HookName: h.Name, Trigger: h.Trigger, Err: err}
	}
	if !e.enter() {
		return &RunError{HookID: h.ID, HookName: h.Name, Trigger: h.Trigger, Err: ErrClosed}
	}
	x := e.newExecution(&h, t, "")
	x.async = true
	ctx, span := e.startRunSpan(context.WithoutCancel(ctx), &h)
	if e.workers != nil {
		go func() {
			res, err := e.workers.run(ctx, x, input)
			endRunSpan(span, res, err)
		}()
		return nil
	}
	go func() {
		res, err := x.run(ctx, input)
		endRunSpan(span, res, err)
	}()
	return nil
}

// Compile checks that h's script compiles for its trigger, and caches the
// compiled program for later runs. It returns a *RunError wrapping a
// *CompileError (which has the line and column) when it does not, or
// wrapping *sandbox.DependencyError values when h.Dependencies are not
// satisfied.
func (e *Engine) Compile(h Hook) error {
	t, err := lookup(&h)
	if err != nil {
		return err
	}
	if p := e.program(t, &h); p.err != nil {
		return &RunError{HookID: h.ID, HookName: h.Name, Trigger: h.Trigger, Err: p.err}
	}
	if err := e.cfg.modules.CheckDependencies(h.Dependencies); err != nil {
		return &RunError{HookID: h.ID, HookName: h.Name, Trigger: h.Trigger, Err: err}
	}
	return nil
}

// CheckDependencies checks the npm packages a hook declares (Hook.Dependencies:
// package name to version or range) as Run does before each run, against
// the engine's modules and its node_modules directory (WithNodeModules). It
// returns nil when every one is satisfied, or an error joining one
// *sandbox.DependencyError per problem, by package name; each says what is
// wrong (its Problem: missing, wrong version, ES module only, native addon,
// ...). It runs no script.
func (e *Engine) CheckDependencies(deps map[string]string) error {
	return e.cfg.modules.CheckDependencies(deps)
}

// program returns h's compiled script. Compiling waits at most the hook's
// wall-time limit (see programCache.get).
func (e *Engine) program(t *triggers.Trigger, h *Hook) *program {
	return e.programs.get(t, h.Form, h.ID, scriptName(h.Name), h.Script, &e.compiles, e.cfg.limits.merge(h.Limits).WallTime)
}

// Forget drops what the engine keeps for the hook with the given id: its
// compiled scripts and its warm runtimes (with the secrets they hold). Runs
// in progress are not affected; the hook's next run starts cold. Call it
// when a hook changes or is deleted elsewhere, such as on another replica
// (see store.Watcher): runs already never reuse a runtime or a program of
// another script or other secrets, and the first run of a new version of a
// hook (the same id, another script or other secrets) drops what its other
// versions keep; Forget only releases at once, before any run, the memory
// and the secrets of versions no run will use again. In-process runs
// only: worker processes (WithProcessIsolation) keep their own caches,
// which they refresh the same way by content.
func (e *Engine) Forget(hookID string) {
	if hookID == "" {
		return
	}
	e.programs.forget(hookID)
	e.runtimes.forget(hookID)
}

// lookup returns h's trigger, or the *RunError of a hook whose trigger or
// form is unknown.
func lookup(h *Hook) (*triggers.Trigger, error) {
	t, ok := triggers.Lookup(h.Trigger)
	if !ok {
		return nil, &RunError{HookID: h.ID, HookName: h.Name, Trigger: h.Trigger, Err: fmt.Errorf("%w %q", ErrUnknownTrigger, h.Trigger)}
	}
	if _, err := triggers.ParseForm(string(h.Form)); err != nil {
		return nil, &RunError{HookID: h.ID, HookName: h.Name, Trigger: h.Trigger, Err: fmt.Errorf("%w %q", ErrUnknownForm, h.Form)}
	}
	return t, nil
}

// actionCache returns the api.cache store of trigger id's Actions.
func (e *Engine) actionCache(id triggers.ID) *triggers.ActionCache { return e.caches[id] }

// Limits returns the limits runs of the engine have by default, its
// defaults filled in: those of a hook whose Hook.Limits are zero.
func (e *Engine) Limits() Limits { return e.cfg.limits }

// Stats describes an engine's caches and work so far.
type Stats struct {
	// Runs counts runs started.
	Runs int64
	// Compiles counts scripts compiled (cache misses).
	Compiles int64
	// RuntimesCreated counts runtimes built (pool misses).
	RuntimesCreated int64
	// CachedPrograms is how many compiled scripts are cached.
	CachedPrograms int
	// IdleRuntimes is how many warm runtimes wait for their hook.
	IdleRuntimes int
	// SpareRuntimes is how many runtimes wait set up, with no hook loaded
	// (see WithSpareRuntimes).
	SpareRuntimes int
	// EvictedRuntimes counts warm runtimes dropped, least recently used
	// hook first, to keep IdleRuntimes within the engine-wide bound of
	// WithIdleRuntimes. A hook whose runtimes were evicted pays a cold start
	// on its next run.
	EvictedRuntimes int64
	// StuckRuntimes is how many abandoned runtimes are still stuck in a
	// native operation (see WithStuckRuntimes).
	StuckRuntimes int
	// AbandonedRuns counts runs whose runtime did not stop within the grace
	// after their limit, and that Run answered without it.
	AbandonedRuns int64
}

// Stats returns the engine's current statistics.
func (e *Engine) Stats() Stats {
	idle, evicted := e.runtimes.counts()
	return Stats{
		Runs:            e.runs.Load(),
		Compiles:        e.compiles.Load(),
		RuntimesCreated: e.created.Load(),
		CachedPrograms:  e.programs.len(),
		IdleRuntimes:    idle,
		SpareRuntimes:   len(e.spares),
		EvictedRuntimes: evicted,
		StuckRuntimes:   e.stuck.count(),
		AbandonedRuns:   e.stuck.abandoned.Load(),
	}
}

// enter registers a run, unless the engine is closed.
func (e *Engine) enter() bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return false
	}
	e.wg.Add(1)
	e.runs.Add(1)
	return true
}

// Close stops the engine now: new runs fail with ErrClosed, runs in progress
// (background work included) are interrupted and end with ErrClosed, and
// Close returns once all of them have, and every fetch request they made
// has returned. Calling it again is harmless.
func (e *Engine) Close() error {
	e.mu.Lock()
	e.closed = true
	e.mu.Unlock()
	e.stopOnce.Do(func() { close(e.stop) })
	e.wg.Wait()
	if e.workers != nil {
		e.workers.close()
	}
	// Ended runs cancelled their requests; wait for those to return so
	// nothing logs or holds a connection after Close.
	e.requests.Wait()
	e.runtimes.clear()
	e.spareWG.Wait()
	for len(e.spares) > 0 {
		<-e.spares
	}
	e.drivers.close()
	e.fetch.CloseIdleConnections()
	return nil
}

// Throttle returns the engine's fetch throttle, which paces the requests of
// every hook per origin. Share it with the server's own outbound calls to
// the same APIs through a fetch.Transport:
//
//	client := &http.Client{Transport: &fetch.Transport{Base: http.DefaultTransport, Throttle: e.Throttle()}}
func (e *Engine) Throttle() *fetch.Throttle { return e.fetch.Throttle() }

// FetchStats returns the counters of the hooks' requests: sent, waited,
// retried, answered 429, refused.
func (e *Engine) FetchStats() fetch.Stats { return e.fetch.Stats() }

// Shutdown stops the engine gracefully: new runs fail with ErrClosed, and
// Shutdown waits for the runs in progress, background work included, to
// finish. If ctx ends first, it closes the engine as Close does and returns
// ctx's error.
func (e *Engine) Shutdown(ctx context.Context) error {
	e.mu.Lock()
	e.closed = true
	e.mu.Unlock()
	done := make(chan struct{})
	go func() {
		e.wg.Wait()
		close(done)
	}()
	select {
	case <-done:
		if e.workers != nil {
			// Let the workers finish what their runs left running.
			e.workers.drainAll(ctx)
		}
		return e.Close()
	case <-ctx.Done():
		_ = e.Close()
		<-done
		return ctx.Err()
	}
}

// newExecution starts an execution of h with the given id, or a new one
// when id is empty.
func (e *Engine) newExecution(h *Hook, t *triggers.Trigger, id string) *execution {
	start := time.Now()
	if id == "" {
		id = e.ids.New(start)
	}
	return &execution{e: e, hook: h, t: t, start: start, id: id}
}

// softMemory is the Go runtime's soft memory limit as engines set it; zero
// while none has.
var softMemory struct {
	sync.Mutex
	set int64
}

// softenGC sets the Go runtime's soft memory limit (debug.SetMemoryLimit) a
// quarter above an engine's memory ceiling, unless the process set a limit
// of its own (GOMEMLIMIT or SetMemoryLimit): near the ceiling the collector
// then runs more often, so the live-heap figures the ceiling is checked
// against stay fresh, and garbage is collected before the kernel's limits are
// reached. With several engines the highest ceiling wins.
func softenGC(ceiling int64) {
	softMemory.Lock()
	defer softMemory.Unlock()
	limit := ceiling + ceiling/4
	cur := debug.SetMemoryLimit(-1)
	if (cur == math.MaxInt64 || cur == softMemory.set) && limit > softMemory.set {
		debug.SetMemoryLimit(limit)
		softMemory.set = limit
	}
}
