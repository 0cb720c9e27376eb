package soak

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"go.uber.org/zap"

	"github.com/hookengine/hookengine/engine"
)

// Defaults of Config.
const (
	DefaultDuration = 60 * time.Second
	// DefaultCPUTime, DefaultWallTime and DefaultMemory are the limits of
	// every run: short, so that hostile runs end fast.
	DefaultCPUTime  = 100 * time.Millisecond
	DefaultWallTime = 300 * time.Millisecond
	DefaultMemory   = 16 << 20
	// DefaultHeapTolerance is how far over its baseline the live heap may
	// be once the engine is closed.
	DefaultHeapTolerance = 4 << 20
	// DefaultSettleTimeout is how long goroutines and heap may take to get
	// back to their baseline after the engine is closed: regexp2's clock
	// goroutine, for one, ends a little after the last match with a
	// timeout.
	DefaultSettleTimeout = 5 * time.Second
)

// Config configures a soak. Zero fields take the defaults.
type Config struct {
	// Duration is how long new runs are started; runs in progress then
	// finish. Default DefaultDuration.
	Duration time.Duration
	// Workers is how many goroutines run hooks at once, each one run after
	// the other. Default twice GOMAXPROCS.
	Workers int
	// Testdata is the repository's testdata directory (see FindTestdata).
	// Required.
	Testdata string
	// Limits are the engine's limits for every run. Zero fields take
	// DefaultCPUTime, DefaultWallTime and DefaultMemory; the call-stack
	// depth keeps the engine's default.
	Limits engine.Limits
	// MemoryCeiling is the engine's memory ceiling; 0 keeps the engine's
	// default.
	MemoryCeiling int64
	// Isolation, when set, runs the hooks in worker processes (see
	// engine.WithProcessIsolation): the program must call
	// engine.RunWorkerIfChild first thing in main (or TestMain). The checks
	// are the same.
	Isolation *engine.ProcessIsolation
	// Mix weighs the hooks; default DefaultMix.
	Mix []MixEntry
	// Seed seeds the choice of hooks and inputs; 0 picks one, which the
	// report gives.
	Seed uint64
	// HeapTolerance and SettleTimeout bound the return to baseline; see
	// the defaults.
	HeapTolerance int64
	SettleTimeout time.Duration
	// Progress, when set, gets a line every ProgressEvery (default 10 s)
	// while the soak runs.
	Progress      io.Writer
	ProgressEvery time.Duration

	// onLoad, for tests, is called when the load starts.
	onLoad func()
}

func (c *Config) setDefaults() error {
	if c.Testdata == "" {
		return errors.New("soak: Config.Testdata is required")
	}
	if c.Duration < 0 || c.Workers < 0 || c.HeapTolerance < 0 || c.SettleTimeout < 0 || c.MemoryCeiling < 0 {
		return errors.New("soak: negative Config field")
	}
	if c.Duration == 0 {
		c.Duration = DefaultDuration
	}
	if c.Workers == 0 {
		c.Workers = 2 * runtime.GOMAXPROCS(0)
	}
	if c.Limits.CPUTime == 0 {
		c.Limits.CPUTime = DefaultCPUTime
	}
	if c.Limits.WallTime == 0 {
		c.Limits.WallTime = DefaultWallTime
	}
	if c.Limits.Memory == 0 {
		c.Limits.Memory = DefaultMemory
	}
	if c.Mix == nil {
		c.Mix = DefaultMix
	}
	if c.Seed == 0 {
		c.Seed = uint64(time.Now().UnixNano())
	}
	if c.HeapTolerance == 0 {
		c.HeapTolerance = DefaultHeapTolerance
	}
	if c.SettleTimeout == 0 {
		c.SettleTimeout = DefaultSettleTimeout
	}
	if c.ProgressEvery <= 0 {
		c.ProgressEvery = 10 * time.Second
	}
	return nil
}

// FindTestdata returns the testdata directory of the repository that holds
// dir, looking in dir and its parents for testdata/soak.
func FindTestdata(dir string) (string, error) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	for d := dir; ; {
		td := filepath.Join(d, "testdata")
		if fi, err := os.Stat(filepath.Join(td, "soak")); err == nil && fi.IsDir() {
			return td, nil
		}
		parent := filepath.Dir(d)
		if parent == d {
			return "", fmt.Errorf("soak: no testdata/soak directory in %s or its parents", dir)
		}
		d = parent
	}
}

// worker is one goroutine running hooks; its counters are its own until
// the soak ends, except those the monitor reads atomically.
type worker struct {
	id    int
	r     *rand.Rand
	seq   uint64
	hists []histogram          // per spec
	ends  [][numClasses]uint64 // per spec
	slow  int64                // runs past their wall-time limit plus lateSlack

	started, finished atomic.Int64
	inflight          atomic.Int64 // start of the run in progress (UnixNano), 0 when none
	spec              atomic.Int32 // its spec
	stuckReported     uint64       // seq of the run last reported stuck (monitor only)
}

// lateSlack is how late a run may end after its wall-time limit before it
// counts as slow: what the hostile corpus allows.
const lateSlack = 50 * time.Millisecond

type soaker struct {
	cfg      Config
	load     *workload
	workers  []*worker
	problems *problems
	lines    *lineLedger
	e        *engine.Engine
	runCtx   context.Context
	stopAt   time.Time
	stop     chan struct{} // closed when no new run may start
	stuck    time.Duration // how long a run may take before it is stuck
}

// Run runs the soak described by cfg and reports on it. ctx ends the load
// early: runs in progress finish and the report covers what ran. Run
// returns an error only when the soak could not start (ctx's error when it
// ended before the load began); what went wrong during it is in the report
// (see Report.OK).
func Run(ctx context.Context, cfg Config) (*Report, error) {
	if err := cfg.setDefaults(); err != nil {
		return nil, err
	}
	load, err := newWorkload(cfg.Testdata, cfg.Mix)
	if err != nil {
		return nil, err
	}
	s := &soaker{cfg: cfg, load: load, problems: newProblems(), stop: make(chan struct{})}
	s.lines = newLineLedger(s.problems)
	s.stuck = max(10*cfg.Limits.WallTime, 5*time.Second)
	// Everything the soak keeps while it runs is made before the baseline.
	for i := range cfg.Workers {
		s.workers = append(s.workers, &worker{
			id:    i,
			r:     rand.New(rand.NewPCG(cfg.Seed, uint64(i))),
			hists: make([]histogram, len(load.specs)),
			ends:  make([][numClasses]uint64, len(load.specs)),
		})
	}
	rep := &Report{Date: time.Now().UTC(), Config: reportConfig(&cfg, load)}
	rep.Memory.Cold = takeSnapshot()
	if err := s.warmUp(); err != nil {
		return nil, err
	}
	// Transient goroutines of the warm-up (regexp2's clock, a forced
	// collection) end first.
	rep.Memory.Baseline, _ = settle(rep.Memory.Cold, 1<<62, cfg.SettleTimeout)

	if err := ctx.Err(); err != nil {
		return nil, err
	}
	opts := s.engineOptions(zap.New(&ledgerCore{l: s.lines}))
	if s.e, err = engine.New(opts...); err != nil {
		return nil, err
	}
	s.runCtx = context.WithoutCancel(ctx)
	start := time.Now()
	s.stopAt = start.Add(cfg.Duration)
	var wg sync.WaitGroup
	for _, w := range s.workers {
		wg.Go(func() { s.work(w) })
	}
	if cfg.onLoad != nil {
		cfg.onLoad()
	}
	monitorDone := make(chan struct{})
	var mwg sync.WaitGroup
	mwg.Go(func() { s.monitor(start, monitorDone) })

	timer := time.NewTimer(time.Until(s.stopAt))
	select {
	case <-ctx.Done():
		rep.Interrupted = true
	case <-timer.C:
	}
	timer.Stop()
	close(s.stop)
	if !waitTimeout(&wg, s.stuck+cfg.Limits.WallTime) {
		s.problems.add(probStuck, fmt.Sprintf("runs still in progress %v after the soak ended; closing the engine", s.stuck+cfg.Limits.WallTime))
		_ = s.e.Close()
		if !waitTimeout(&wg, 10*time.Second) {
			s.problems.add(probStuck, "runs did not return after the engine was closed")
		}
	}
	rep.Elapsed = time.Since(start)
	close(monitorDone)
	mwg.Wait()
	rep.Memory.AfterRun = takeSnapshot()

	// Let background work finish, then close.
	sctx, cancel := context.WithTimeout(context.Background(), s.stuck)
	if err := s.e.Shutdown(sctx); err != nil {
		s.problems.add(probStuck, "background work still running "+s.stuck.String()+" after the last run: "+err.Error())
	}
	cancel()
	_, stopped := s.lines.finish() // lost lines are among the problems
	rep.Engine = s.e.Stats()
	s.e = nil
	rep.Memory.AfterClose, rep.Memory.Dump = settle(rep.Memory.Baseline, cfg.HeapTolerance, cfg.SettleTimeout)

	s.fill(rep, stopped)
	return rep, nil
}

// engineOptions are the options of the soak's engines.
func (s *soaker) engineOptions(logger *zap.Logger) []engine.Option {
	opts := []engine.Option{engine.WithLimits(s.cfg.Limits), engine.WithLogger(logger)}
	if s.cfg.MemoryCeiling > 0 {
		opts = append(opts, engine.WithMemoryCeiling(s.cfg.MemoryCeiling))
	}
	if s.cfg.Isolation != nil {
		opts = append(opts, engine.WithProcessIsolation(*s.cfg.Isolation))
	}
	return opts
}

// warmUp runs every hook of the workload once on an engine of its own,
// then closes it, so that what the process sets up once (compiled module
// sources, regular expressions, pools) is in the baseline rather than
// counted as growth. Its results are checked like the others.
func (s *soaker) warmUp() error {
	e, err := engine.New(s.engineOptions(zap.NewNop())...)
	if err != nil {
		return err
	}
	defer e.Close()
	r := rand.New(rand.NewPCG(s.cfg.Seed, ^uint64(0)))
	for _, sp := range s.load.specs {
		for v, h := range sp.hooks {
			tok := token(0, 0)
			input, chk := sp.input(tok, v, r)
			res, err := e.Run(context.Background(), h, input)
			s.check(sp, "warm-up "+tok, res, err, classify(res, err), chk)
		}
	}
	return nil
}

func (s *soaker) stopping() bool {
	select {
	case <-s.stop:
		return true
	default:
		return !time.Now().Before(s.stopAt)
	}
}

// work runs hooks one after the other until the soak stops.
func (s *soaker) work(w *worker) {
	for !s.stopping() {
		i := s.load.pick(w.r)
		sp := s.load.specs[i]
		w.seq++
		tok := token(w.id, w.seq)
		v := w.r.IntN(len(sp.hooks))
		input, chk := sp.input(tok, v, w.r)
		h := sp.hooks[v]

		start := time.Now()
		w.spec.Store(int32(i))
		w.inflight.Store(start.UnixNano())
		w.started.Add(1)
		if sp.kind == Async {
			s.lines.expect(tok, i, start, true)
			err := s.e.RunAsync(s.runCtx, h, input)
			w.inflight.Store(0)
			w.finished.Add(1)
			if err != nil {
				s.lines.forget(tok)
				w.ends[i][classify(nil, err)]++
				s.problems.add(probUnexpected, fmt.Sprintf("%s run %s could not start: %v", sp.name, tok, err))
			}
			continue
		}
		if sp.line {
			s.lines.expect(tok, i, start, false)
		}
		res, err := s.e.Run(s.runCtx, h, input)
		took := time.Since(start)
		w.inflight.Store(0)
		w.finished.Add(1)
		w.hists[i].record(took)
		if took > s.cfg.Limits.WallTime+lateSlack {
			w.slow++
		}
		c := classify(res, err)
		w.ends[i][c]++
		s.check(sp, tok, res, err, c, chk)
		switch {
		case !sp.line:
		case err == nil:
			// It called back: its background work is to write the line.
			s.lines.result(tok, res.ExecutionID)
		default:
			s.lines.forget(tok)
		}
	}
}

// check checks a result against its run and records what is wrong.
func (s *soaker) check(sp *spec, tok string, res *engine.Result, err error, c class, chk check) {
	if c == classInternal {
		s.problems.add(probInternal, fmt.Sprintf("%s run %s: %v", sp.name, tok, err))
	}
	if e := consistent(res, err, c, sp.trigger); e != nil {
		s.problems.add(probInconsistent, fmt.Sprintf("%s run %s: %v", sp.name, tok, e))
		return
	}
	if !sp.expects(c) && sp.kind == Hostile && c == classMemory {
		s.problems.add(probMemoryCharged, fmt.Sprintf("%s run %s after %v", sp.name, tok, res.Duration.Round(time.Millisecond)))
		return
	}
	if !sp.expects(c) {
		detail := ""
		if !res.Envelope.Succeeded() {
			detail = " " + string(res.Envelope.Data)
		}
		s.problems.add(probUnexpected, fmt.Sprintf("%s run %s ended with %s after %v: %v%s", sp.name, tok, c, res.Duration.Round(time.Microsecond), err, detail))
		return
	}
	if chk == nil {
		return
	}
	if e := chk(res, c); e != nil {
		var m *mismatch
		category := probMismatch
		if errors.As(e, &m) && m.crossed {
			category = probCrossed
		}
		s.problems.add(category, fmt.Sprintf("%s run %s (execution %s): %v", sp.name, tok, res.ExecutionID, e))
	}
}

// monitor reports runs that take far longer than their limit, and writes
// progress lines, until done is closed.
func (s *soaker) monitor(start time.Time, done <-chan struct{}) {
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	next := start.Add(s.cfg.ProgressEvery)
	for {
		select {
		case <-done:
			return
		case now := <-tick.C:
			for _, w := range s.workers {
				since := w.inflight.Load()
				if since == 0 || now.Sub(time.Unix(0, since)) < s.stuck {
					continue
				}
				if seq := uint64(w.started.Load()); w.stuckReported != seq {
					w.stuckReported = seq
					sp := s.load.specs[w.spec.Load()]
					s.problems.add(probStuck, fmt.Sprintf("worker %d: a %s run has been running for %v", w.id, sp.name, now.Sub(time.Unix(0, since)).Round(time.Millisecond)))
				}
			}
			if s.cfg.Progress != nil && !now.Before(next) {
				next = next.Add(s.cfg.ProgressEvery)
				var n int64
				for _, w := range s.workers {
					n += w.finished.Load()
				}
				fmt.Fprintf(s.cfg.Progress, "soak: %v: %d runs, %d goroutines\n", now.Sub(start).Round(time.Second), n, runtime.NumGoroutine())
			}
		}
	}
}

// waitTimeout waits for wg for at most d; it reports whether wg was done.
func waitTimeout(wg *sync.WaitGroup, d time.Duration) bool {
	done := make(chan struct{})
	go func() {
		wg.Wait()
		close(done)
	}()
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-done:
		return true
	case <-t.C:
		return false
	}
}
