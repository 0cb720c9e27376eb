package engine

import (
	"bytes"
	"container/heap"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/maphash"
	"io"
	"net/http"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"github.com/hookengine/hookengine/internal/workerproto"
	"github.com/hookengine/hookengine/sandbox"
	"github.com/hookengine/hookengine/sandbox/fetch"
	"github.com/hookengine/hookengine/triggers"
)

// Process-level CPU check: a worker may use, per run started since it was
// last idle, the run's CPU limit plus a quarter (the garbage collector's
// threads) plus cpuPerRun, and cpuGrace besides.
const (
	cpuPerRun = 20 * time.Millisecond
	cpuGrace  = 250 * time.Millisecond
	// monitorBusy and monitorIdle are the parent's polling periods of
	// workers' RSS and CPU while runs are in flight and otherwise.
	monitorBusy = 10 * time.Millisecond
	monitorIdle = 250 * time.Millisecond
	// stderrKeep is how much of a worker's stderr the parent keeps: the
	// start, where a Go panic or fatal error says what happened.
	stderrKeep = 16 << 10
)

// killKind is why the parent killed a worker, or how it died.
type killKind int

const (
	killNone killKind = iota
	killWall          // a run passed its wall time or its context's end
	killCPU
	killMemory
	killBroken // the worker broke the protocol or its pipe filled
	killClose  // the engine closed
	killStart  // it did not start in time
)

// workerPool runs hooks in worker processes.
type workerPool struct {
	e    *Engine
	cfg  ProcessIsolation
	init workerproto.Init
	log  *zap.Logger
	cg   *cgroupMemory
	seed maphash.Seed

	spawnc chan struct{} // spawn requests to the spawner
	wake   chan struct{} // a run started: the monitor polls often again
	quit   chan struct{} // closes at the end: monitor, spawner
	wg     sync.WaitGroup
	nextID atomic.Uint64

	mu       sync.Mutex
	procs    []*proc // live, draining ones included
	spawning int     // requested, not yet in procs
	changed  chan struct{}
	closing  bool
	failures int // consecutive failed starts
	closed   sync.Once

	started, recycled, killedWall, killedCPU, killedMemory, crashed, retried, lost atomic.Int64
}

// proc is one worker process, seen from the parent. Its fields are guarded
// by the pool's mu unless noted.
type proc struct {
	p     *workerPool
	pid   int
	cmd   *exec.Cmd
	out   chan *workerproto.Message // to the writer goroutine
	wf    *os.File                  // the pipe to the worker
	enc   *workerproto.Writer       // on wf; safe for concurrent use
	born  time.Time
	cgdir string

	ready    bool
	draining bool
	closeSet bool // Close sent or out closed
	dead     bool
	kill     killKind
	runs     map[uint64]*prun // unanswered
	live     map[uint64]*prun // until their wall time has passed: fetches, logs, CPU
	expiry   expiring         // live's runs, the first wall time to end on top
	byExec   map[string]*prun
	fetches  map[uint64]context.CancelFunc
	served   int
	cpuBase  int64 // CPU time at the start of the current busy period
	cpuAllow int64
	cpuIdle  bool // cpuBase must be read again

	stderr   bytes.Buffer // written by the stderr reader only until it ends
	readDone chan struct{}
	errDone  chan struct{}
	drainT   *time.Timer
}

// prun is one run on a worker, seen from the parent.
type prun struct {
	id      uint64
	exec    string // the execution's id
	w       *proc
	done    chan outcome // buffered: the one answer
	began   time.Time
	wallEnd time.Time
	cpu     time.Duration

	answered bool
	retried  bool
	sent     atomic.Bool // a fetch request was sent: a side effect
	logs     []LogEntry
}

// outcome answers a run: the worker's result, an error decided by the
// parent, or retry.
type outcome struct {
	res   *workerproto.Result
	err   error
	retry bool
}

func newWorkerPool(e *Engine, cfg ProcessIsolation) (*workerPool, error) {
	c := e.cfg
	level := zapcore.InvalidLevel
	for l := zapcore.DebugLevel; l <= zapcore.FatalLevel; l++ {
		if e.log.Core().Enabled(l) {
			level = l
			break
		}
	}
	ceiling := cfg.Memory * 3 / 4
	if c.ceiling > 0 && c.ceiling < ceiling {
		ceiling = c.ceiling
	}
	p := &workerPool{
		e: e, cfg: cfg, log: e.log.Named("worker"), seed: maphash.MakeSeed(),
		spawnc: make(chan struct{}, 1024), wake: make(chan struct{}, 1), quit: make(chan struct{}), changed: make(chan struct{}),
		init: workerproto.Init{
			Limits:        workerproto.Limits{WallTime: c.limits.WallTime, CPUTime: c.limits.CPUTime, StackDepth: c.limits.StackDepth, Memory: c.limits.Memory},
			MemoryCeiling: ceiling, MemoryLimit: cfg.Memory, RlimitData: cfg.Memory + workerDataBase,
			ProgramCache: c.programs, MaxIdle: c.maxIdle, PerHook: c.perHook, Fresh: c.fresh,
			MaxLogLines: c.maxLogLines, MaxLogBytes: c.maxLogBytes,
			MaxRequests: c.fetch.MaxRequests, MaxConcurrent: c.fetch.MaxConcurrent, MaxRunBytes: c.fetch.MaxRunBytes,
			LogLevel: int8(level), TestCrashHook: c.testCrashHook,
			MaxStuck: c.maxStuck, StuckGrace: c.stuckGrace, Spares: c.spares,
		},
	}
	if os.Getenv(WorkerEnv) == "1" {
		// A worker whose main did not call RunWorkerIfChild would start
		// workers of its own, and so on.
		return nil, fmt.Errorf("engine: process isolation: this process is a worker (%s=1) but did not become one: main must call engine.RunWorkerIfChild first", WorkerEnv)
	}
	if cfg.Executable == "" {
		exe, err := os.Executable()
		if err != nil {
			return nil, fmt.Errorf("engine: process isolation: finding this program to start workers: %w", err)
		}
		p.cfg.Executable = exe
	}
	if cg, err := findCgroupMemory(); err != nil {
		p.log.Info("workers run without a memory cgroup of their own; RLIMIT_DATA and the parent's RSS checks hold their memory", zap.String("reason", err.Error()))
	} else {
		p.cg = cg
	}
	p.wg.Add(2)
	go p.spawner()
	go p.monitor()
	p.mu.Lock()
	for range cfg.Workers {
		p.spawnLocked()
	}
	p.mu.Unlock()
	// Wait for the first workers, so a program that does not call
	// RunWorkerIfChild fails here rather than at its first run.
	deadline := time.After(cfg.StartTimeout + time.Second)
	for {
		p.mu.Lock()
		ready, failed, ch := 0, p.failures, p.changed
		for _, w := range p.procs {
			if w.ready {
				ready++
			}
		}
		p.mu.Unlock()
		if ready == cfg.Workers {
			return p, nil
		}
		var err error
		select {
		case <-ch:
			if failed == 0 {
				continue
			}
			err = errors.New("a worker did not start")
		case <-deadline:
			err = errors.New("the workers did not start in time")
		}
		p.close()
		return nil, fmt.Errorf("engine: process isolation: %v: does %s call engine.RunWorkerIfChild first thing in main? (see the log for its stderr)", err, p.cfg.Executable)
	}
}

// broadcastLocked wakes everything waiting for a change. Callers hold mu.
func (p *workerPool) broadcastLocked() {
	close(p.changed)
	p.changed = make(chan struct{})
}

// spawnLocked asks the spawner for a new worker. Callers hold mu.
func (p *workerPool) spawnLocked() {
	if p.closing {
		return
	}
	p.spawning++
	p.spawnc <- struct{}{}
}

// spawner starts every worker from one goroutine locked to its thread, for
// the pool's life: the parent-death signal of a worker fires when the
// thread that started it ends, so that thread must live as long as the
// pool. It ends (and its thread with it, killing any worker left) only
// once every worker has exited.
func (p *workerPool) spawner() {
	runtime.LockOSThread()
	defer p.wg.Done()
	for {
		select {
		case <-p.quit:
			return
		case <-p.spawnc:
		}
		p.mu.Lock()
		closing, failures := p.closing, p.failures
		p.mu.Unlock()
		if closing {
			p.mu.Lock()
			p.spawning--
			p.broadcastLocked()
			p.mu.Unlock()
			continue
		}
		if failures > 0 {
			// Back off from a program that keeps failing to start.
			select {
			case <-time.After(min(time.Duration(1<<min(failures, 6))*50*time.Millisecond, 3*time.Second)):
			case <-p.quit:
				return
			}
		}
		w, err := p.startProc()
		p.mu.Lock()
		p.spawning--
		if err != nil {
			p.failures++
			p.log.Error("could not start a worker process", zap.Error(err))
			if !p.closing {
				p.spawnLocked()
			}
		} else {
			p.procs = append(p.procs, w)
			p.started.Add(1)
		}
		p.broadcastLocked()
		p.mu.Unlock()
	}
}

// startProc starts a worker process and its goroutines.
func (p *workerPool) startProc() (*proc, error) {
	toChildR, toChildW, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	fromChildR, fromChildW, err := os.Pipe()
	if err != nil {
		toChildR.Close()
		toChildW.Close()
		return nil, err
	}
	errR, errW, err := os.Pipe()
	if err != nil {
		toChildR.Close()
		toChildW.Close()
		fromChildR.Close()
		fromChildW.Close()
		return nil, err
	}
	cmd := exec.Command(p.cfg.Executable, p.cfg.Args...)
	cmd.Env = append(append(workerEnviron(), p.cfg.Env...), WorkerEnv+"=1")
	cmd.ExtraFiles = []*os.File{toChildR, fromChildW} // fd 3 and 4
	cmd.Stderr = errW
	cmd.SysProcAttr = pdeathsigAttr()
	err = cmd.Start()
	toChildR.Close()
	fromChildW.Close()
	errW.Close()
	if err != nil {
		toChildW.Close()
		fromChildR.Close()
		errR.Close()
		return nil, err
	}
	w := &proc{
		p: p, pid: cmd.Process.Pid, cmd: cmd, out: make(chan *workerproto.Message, 4096), born: time.Now(),
		runs: make(map[uint64]*prun), live: make(map[uint64]*prun), byExec: make(map[string]*prun),
		fetches: make(map[uint64]context.CancelFunc), cpuIdle: true,
		readDone: make(chan struct{}), errDone: make(chan struct{}),
		wf: toChildW, enc: workerproto.NewWriter(toChildW),
	}
	if p.cg != nil {
		// Before the worker's first message, hence before any script: the
		// worker waits for its init message.
		if d, err := p.cg.create(w.pid, p.cfg.Memory+workerKernelSlack); err != nil {
			p.log.Warn("could not put a worker in a memory cgroup", zap.Int("pid", w.pid), zap.Error(err))
		} else {
			w.cgdir = d
		}
	}
	init := p.init
	w.out <- &workerproto.Message{Kind: workerproto.KindInit, Init: &init}
	p.wg.Add(4)
	go w.writer()
	go w.reader(fromChildR)
	go w.readStderr(errR)
	go w.waiter()
	w.drainT = time.AfterFunc(p.cfg.StartTimeout, func() {
		p.mu.Lock()
		defer p.mu.Unlock()
		if !w.ready && !w.dead {
			p.log.Error("a worker did not start in time", zap.Int("pid", w.pid), zap.Duration("timeout", p.cfg.StartTimeout))
			p.killLocked(w, killStart)
		}
	})
	return w, nil
}

// workerEnviron is the part of this process's environment a worker
// inherits: what the Go runtime and the C library read (GO*, TZ, locale,
// PATH, HOME, TMPDIR), and nothing else. A worker runs tenant scripts; keys
// and tokens the embedder keeps in its environment (a secrets key, a
// database password) stay out of its reach even if a script escaped the
// sandbox.
func workerEnviron() []string {
	var env []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		switch {
		case name == WorkerEnv:
		case strings.HasPrefix(name, "GO"), strings.HasPrefix(name, "LC_"),
			name == "TZ", name == "LANG", name == "PATH", name == "HOME", name == "TMPDIR":
			env = append(env, kv)
		}
	}
	return env
}

// writeTimeout bounds one write to a worker's pipe: a worker whose reader
// does not take a frame in that time is broken.
const writeTimeout = 2 * time.Second

// write sends m to the worker now.
func (w *proc) write(m *workerproto.Message) error {
	return w.writeBy(m, time.Now().Add(writeTimeout))
}

// writeBy sends m to the worker, giving up at deadline.
func (w *proc) writeBy(m *workerproto.Message, deadline time.Time) error {
	_ = w.wf.SetWriteDeadline(deadline)
	return w.enc.Write(m)
}

// writer sends the parent's queued messages to the worker.
func (w *proc) writer() {
	defer w.p.wg.Done()
	defer w.wf.Close()
	for m := range w.out {
		if err := w.write(m); err != nil {
			// The worker is gone or broken; the waiter handles it.
			w.p.mu.Lock()
			w.p.killLocked(w, killBroken)
			w.p.mu.Unlock()
			for range w.out {
			}
			return
		}
	}
}

// sendLocked queues m for the worker. A worker that does not read what it
// is sent is broken: it is killed. Callers hold mu.
func (w *proc) sendLocked(m *workerproto.Message) bool {
	if w.closeSet || w.dead {
		return false
	}
	select {
	case w.out <- m:
		return true
	default:
		w.p.log.Error("a worker does not read its messages; killing it", zap.Int("pid", w.pid))
		w.p.killLocked(w, killBroken)
		return false
	}
}

// readStderr keeps the start of what the worker writes on stderr.
func (w *proc) readStderr(f *os.File) {
	defer w.p.wg.Done()
	defer close(w.errDone)
	defer f.Close()
	buf := make([]byte, 4096)
	for {
		n, err := f.Read(buf)
		if n > 0 && w.stderr.Len() < stderrKeep {
			w.stderr.Write(buf[:min(n, stderrKeep-w.stderr.Len())])
		}
		if err != nil {
			return
		}
	}
}

// reader handles the worker's messages until its pipe closes.
func (w *proc) reader(f *os.File) {
	p := w.p
	defer p.wg.Done()
	defer close(w.readDone)
	defer f.Close()
	r := workerproto.NewReader(f)
	for {
		m, err := r.Read()
		if err != nil {
			if !errors.Is(err, io.EOF) && !errors.Is(err, os.ErrClosed) {
				p.mu.Lock()
				if !w.dead && w.kill == killNone {
					p.log.Error("a worker sent what is not a message; killing it", zap.Int("pid", w.pid), zap.Error(err))
				}
				p.killLocked(w, killBroken)
				p.mu.Unlock()
			}
			return
		}
		switch m.Kind {
		case workerproto.KindReady:
			p.mu.Lock()
			w.ready = true
			if w.drainT != nil {
				w.drainT.Stop()
			}
			p.failures = 0
			p.broadcastLocked()
			p.mu.Unlock()
			if m.Ready != nil {
				p.log.Debug("worker started", zap.Int("pid", w.pid), zap.String("rlimit", m.Ready.Rlimit), zap.String("cgroup", w.cgdir))
			}
		case workerproto.KindResult:
			if m.Result != nil {
				p.mu.Lock()
				if r := w.runs[m.Run]; r != nil {
					p.answerLocked(r, outcome{res: m.Result})
				}
				p.mu.Unlock()
			}
		case workerproto.KindLog:
			if m.Log != nil {
				w.logLine(m.Log)
			}
		case workerproto.KindFetch:
			if m.Request != nil {
				w.fetch(m.Run, m.Fetch, m.Request)
			}
		case workerproto.KindFetchCancel:
			p.mu.Lock()
			if cancel := w.fetches[m.Fetch]; cancel != nil {
				cancel()
			}
			p.mu.Unlock()
		case workerproto.KindRecycle:
			p.mu.Lock()
			p.drainLocked(w)
			p.mu.Unlock()
		}
	}
}

// waiter reaps the worker and handles its end.
func (w *proc) waiter() {
	p := w.p
	defer p.wg.Done()
	waitErr := w.cmd.Wait()
	<-w.readDone
	<-w.errDone
	p.died(w, waitErr)
}

// killLocked kills worker w (SIGKILL, that process only) for kind. Its
// runs are answered by whoever killed it (the guilty ones) and by died
// (the others). Callers hold mu.
func (p *workerPool) killLocked(w *proc, kind killKind) {
	if w.dead || w.kill != killNone {
		return
	}
	w.kill = kind
	switch kind {
	case killWall:
		p.killedWall.Add(1)
	case killCPU:
		p.killedCPU.Add(1)
	case killMemory:
		p.killedMemory.Add(1)
	}
	_ = w.cmd.Process.Kill()
	if !w.draining && kind != killClose {
		// Start the replacement now rather than when the process is reaped.
		w.draining = true
		p.spawnLocked()
	}
}

// died handles the end of worker w, once its pipes are drained: every run
// it still held is answered or retried, and a replacement is started if it
// was not already.
func (p *workerPool) died(w *proc, waitErr error) {
	p.mu.Lock()
	w.dead = true
	if i := slices.Index(p.procs, w); i >= 0 {
		p.procs = slices.Delete(p.procs, i, i+1)
	}
	if w.drainT != nil {
		w.drainT.Stop()
	}
	// A worker that was told to close and exited without error ended
	// cleanly.
	clean := w.kill == killNone && waitErr == nil && w.closeSet && w.draining
	if !w.closeSet {
		w.closeSet = true
		close(w.out)
	}
	for _, cancel := range w.fetches {
		cancel()
	}
	stderr := w.stderr.String()
	kind := w.kill
	oom := strings.Contains(stderr, "out of memory") || (p.cg != nil && w.cgdir != "" && p.cg.oomKilled(w.cgdir))
	switch {
	case kind == killNone && oom:
		kind = killMemory
		p.killedMemory.Add(1)
		p.crashed.Add(1)
	case kind == killNone && !clean:
		p.crashed.Add(1)
	}
	if !w.ready {
		p.failures++
	}
	if !w.draining && !clean {
		p.spawnLocked()
	}
	// Logged before its runs are answered, so that whoever gets an answer
	// finds the death in the logs.
	fields := []zap.Field{zap.Int("pid", w.pid), zap.Int("runs_served", w.served)}
	if waitErr != nil {
		fields = append(fields, zap.String("exit", waitErr.Error()))
	}
	if stderr != "" {
		fields = append(fields, zap.String("stderr", stderr))
	}
	switch {
	case clean:
		p.log.Debug("worker exited", fields...)
	case kind == killClose:
	case kind != killNone:
		p.log.Warn("worker killed: "+kind.String(), fields...)
	default:
		p.log.Error("worker died", fields...)
	}
	// The runs it held that nobody answered yet.
	held := make([]*prun, 0, len(w.runs))
	for _, r := range w.runs {
		held = append(held, r)
	}
	slices.SortFunc(held, func(a, b *prun) int { return int(a.id - b.id) })
	for _, r := range held {
		switch {
		case p.closing || kind == killClose:
			p.answerLocked(r, outcome{err: ErrClosed})
		case kind == killMemory && (len(held) == 1 || r.retried):
			// Alone on the worker, or already on a worker killed this way.
			p.answerLocked(r, outcome{err: &sandbox.LimitError{Err: ErrMemoryExceeded, Limit: memLimit(p.cfg.Memory)}})
		default:
			p.retryOrLoseLocked(r, w, kind)
		}
	}
	p.broadcastLocked()
	p.mu.Unlock()

	if w.cgdir != "" {
		p.cg.remove(w.cgdir)
	}
}

func (k killKind) String() string {
	switch k {
	case killWall:
		return "a run passed its wall-time limit or was cancelled"
	case killCPU:
		return "its runs used more CPU time than their limits allow"
	case killMemory:
		return "it used more memory than allowed"
	case killBroken:
		return "it broke the protocol"
	case killClose:
		return "the engine closed"
	case killStart:
		return "it did not start in time"
	}
	return "none"
}

func memLimit(n int64) string { return fmt.Sprintf("%d MiB per worker", n>>20) }

// retryOrLoseLocked answers a run whose worker died because of something
// else: retry once if it had no side effects, else ErrWorkerLost. Callers
// hold mu.
func (p *workerPool) retryOrLoseLocked(r *prun, w *proc, kind killKind) {
	if !r.retried && !r.sent.Load() {
		r.retried = true
		p.retried.Add(1)
		p.answerLocked(r, outcome{retry: true})
		return
	}
	p.lost.Add(1)
	why := "it had sent a fetch request"
	if !r.sent.Load() {
		why = "it had already been retried once"
	}
	p.answerLocked(r, outcome{err: fmt.Errorf("%w (pid %d: %s; the run was not retried: %s)", ErrWorkerLost, w.pid, kind.deathString(), why)})
}

func (k killKind) deathString() string {
	if k == killNone {
		return "it crashed"
	}
	return "killed because " + k.String()
}

// answerLocked gives run r its answer, once. Callers hold mu.
func (p *workerPool) answerLocked(r *prun, o outcome) {
	if r.answered {
		return
	}
	r.answered = true
	w := r.w
	delete(w.runs, r.id)
	if o.retry {
		delete(w.live, r.id)
		delete(w.byExec, r.exec)
	}
	r.done <- o
	if w.draining && len(w.runs) == 0 && !w.dead && w.kill == killNone && !w.closeSet {
		p.closeWorkerLocked(w)
	}
	p.broadcastLocked()
}

// drainLocked stops giving worker w runs and starts its replacement; it
// ends once its runs are done. Callers hold mu.
func (p *workerPool) drainLocked(w *proc) {
	if w.draining || w.dead {
		return
	}
	w.draining = true
	p.recycled.Add(1)
	p.spawnLocked()
	if len(w.runs) == 0 {
		p.closeWorkerLocked(w)
	}
}

// closeWorkerLocked tells a drained worker to end once the work its runs
// left running is done, and kills it if it does not end in time. Callers
// hold mu.
func (p *workerPool) closeWorkerLocked(w *proc) {
	w.sendLocked(&workerproto.Message{Kind: workerproto.KindClose})
	w.closeSet = true
	close(w.out)
	wall := p.e.cfg.limits.WallTime
	if w.drainT != nil {
		w.drainT.Stop()
	}
	w.drainT = time.AfterFunc(wall+2*time.Second, func() {
		p.mu.Lock()
		defer p.mu.Unlock()
		p.killLocked(w, killClose)
	})
}

// logLine writes a line the worker's engine logged to the engine's
// logger, and keeps the lines of a run's output for its result.
func (w *proc) logLine(l *workerproto.Log) {
	p := w.p
	if l.Console {
		p.mu.Lock()
		if r := w.byExec[l.ExecutionID]; r != nil && !r.answered && len(r.logs) < p.e.cfg.maxLogLines {
			r.logs = append(r.logs, LogEntry{Time: l.Time, Level: sandbox.Level(l.ConsoleLevel), Message: l.Message})
		}
		p.mu.Unlock()
	}
	level := zapcore.Level(l.Level)
	if level < zapcore.DebugLevel || level > zapcore.FatalLevel {
		level = zapcore.ErrorLevel
	}
	if level > zapcore.ErrorLevel {
		level = zapcore.ErrorLevel // a worker never ends the parent
	}
	ce := p.e.log.Check(level, l.Message)
	if ce == nil {
		return
	}
	if !l.Time.IsZero() {
		ce.Time = l.Time
	}
	fields := make([]zap.Field, 0, len(l.Fields))
	for _, f := range l.Fields {
		fields = append(fields, jsonField(f.Key, f.Value))
	}
	ce.Write(fields...)
}

// jsonField turns a field the worker encoded back into a typed field.
func jsonField(key string, v json.RawMessage) zap.Field {
	var s string
	if json.Unmarshal(v, &s) == nil {
		return zap.String(key, s)
	}
	var n json.Number
	if json.Unmarshal(v, &n) == nil {
		if i, err := n.Int64(); err == nil {
			return zap.Int64(key, i)
		}
		if f, err := n.Float64(); err == nil {
			return zap.Float64(key, f)
		}
	}
	var b bool
	if json.Unmarshal(v, &b) == nil {
		return zap.Bool(key, b)
	}
	return zap.Any(key, v)
}

// fetch sends a request for a run of worker w with the engine's client,
// and answers the worker.
func (w *proc) fetch(run, id uint64, req *workerproto.Request) {
	p := w.p
	p.mu.Lock()
	r := w.live[run]
	if r == nil || w.dead {
		w.sendLocked(&workerproto.Message{Kind: workerproto.KindFetchResult, Run: run, Fetch: id,
			Answer: &workerproto.FetchResponse{Err: encodeFetchError(context.Canceled)}})
		p.mu.Unlock()
		return
	}
	r.sent.Store(true)
	// A request never outlives its run's wall time, and the throttle
	// paces it against the same deadline as in-process.
	ctx, cancel := context.WithDeadline(context.Background(), r.wallEnd.Add(p.cfg.Grace))
	ctx = fetch.WithDeadline(ctx, r.wallEnd)
	w.fetches[id] = cancel
	p.e.requests.Add(1)
	p.mu.Unlock()
	go func() {
		defer p.e.requests.Done()
		ans := &workerproto.FetchResponse{}
		hr, err := http.NewRequestWithContext(ctx, req.Method, req.URL, bytes.NewReader(req.Body))
		if err == nil {
			if req.Body == nil {
				hr.Body, hr.GetBody, hr.ContentLength = http.NoBody, nil, 0
			}
			if req.Header != nil {
				hr.Header = req.Header
			}
			var resp *fetch.Response
			if resp, err = p.e.fetch.Do(ctx, hr); err == nil {
				ans = &workerproto.FetchResponse{Status: resp.Status, StatusText: resp.StatusText, URL: resp.URL,
					Redirected: resp.Redirected, Header: resp.Header, Body: resp.Body}
			}
		}
		if err != nil {
			ans.Err = encodeFetchError(err)
		}
		cancel()
		p.mu.Lock()
		delete(w.fetches, id)
		w.sendLocked(&workerproto.Message{Kind: workerproto.KindFetchResult, Run: run, Fetch: id, Answer: ans})
		p.mu.Unlock()
	}()
}

// run runs execution x in a worker.
func (p *workerPool) run(ctx context.Context, x *execution, input any) (*Result, error) {
	lim := p.e.cfg.limits.merge(x.hook.Limits)
	deadline, _ := ctx.Deadline()
	start := &workerproto.Start{ExecutionID: x.id, Deadline: deadline, Hook: workerproto.Hook{
		ID: x.hook.ID, Name: x.hook.Name, Trigger: string(x.hook.Trigger), Script: x.hook.Script,
		Form: string(x.hook.Form), Secrets: x.hook.Secrets, Dependencies: x.hook.Dependencies, FreshRuntime: x.hook.FreshRuntime,
		Limits: workerproto.Limits{CPUTime: lim.CPUTime, StackDepth: lim.StackDepth, Memory: lim.Memory,
			FetchRequests: lim.FetchRequests, FetchRunBytes: lim.FetchRunBytes},
	}}
	switch v := input.(type) {
	case nil:
		start.NullInput = true
	case string:
		start.Input = v
	case []byte:
		start.Input = string(v)
	case json.RawMessage:
		start.Input = string(v)
	default:
		b, err := json.Marshal(v)
		if err != nil {
			x.end(&InputError{Message: "Body received by extensibility point cannot be encoded as JSON: " + err.Error()})
			return x.concludeEarly()
		}
		start.Input = string(b)
	}
	wallEnd := x.start.Add(lim.WallTime)
	wallErr := &sandbox.LimitError{Err: ErrWallTimeExceeded, Limit: lim.WallTime.String()}
	retried := false
	for {
		r, err := p.dispatch(ctx, x, start, lim.CPUTime, wallEnd, wallErr, retried)
		if err != nil {
			x.end(err)
			return x.concludeEarly()
		}
		o := p.await(ctx, r, wallErr)
		if o.retry {
			retried = true
			continue
		}
		return p.conclude(x, r, o)
	}
}

// dispatch gives the run to a worker with room for it, waiting for one.
func (p *workerPool) dispatch(ctx context.Context, x *execution, start *workerproto.Start, cpu time.Duration, wallEnd time.Time, wallErr error, retried bool) (*prun, error) {
	var wall *time.Timer
	defer func() {
		if wall != nil {
			wall.Stop()
		}
	}()
	for {
		p.mu.Lock()
		if p.closing {
			p.mu.Unlock()
			return nil, ErrClosed
		}
		if w := p.pickLocked(x.hook); w != nil {
			s := *start
			s.Hook.Limits.WallTime = max(time.Until(wallEnd), time.Millisecond)
			r := &prun{id: p.nextID.Add(1), exec: x.id, w: w, done: make(chan outcome, 1),
				began: time.Now(), wallEnd: wallEnd, cpu: cpu, retried: retried}
			w.runs[r.id], w.live[r.id], w.byExec[x.id] = r, r, r
			heap.Push(&w.expiry, r)
			w.served++
			w.cpuAllow += int64(cpu*5/4 + cpuPerRun)
			if w.served >= p.cfg.MaxRuns {
				p.drainLocked(w)
			}
			p.mu.Unlock()
			// Written here rather than by the writer goroutine: one
			// hand-off less on every run. Frames stay whole (enc has a
			// lock), and nothing for this run can be queued before it.
			// A worker that does not take the frame by the run's deadline
			// is broken: the write must not hold the run past it.
			by := time.Now().Add(writeTimeout)
			if end := wallEnd.Add(p.cfg.Grace); end.Before(by) {
				by = end
			}
			if err := w.writeBy(&workerproto.Message{Kind: workerproto.KindRun, Run: r.id, Start: &s}, by); err != nil {
				p.mu.Lock()
				p.killLocked(w, killBroken)
				p.mu.Unlock()
				// The run is answered (retried) when the worker is reaped.
			}
			select {
			case p.wake <- struct{}{}:
			default:
			}
			return r, nil
		}
		ch := p.changed
		p.mu.Unlock()
		if wall == nil {
			wall = time.NewTimer(time.Until(wallEnd))
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-p.e.stop:
			return nil, ErrClosed
		case <-wall.C:
			return nil, wallErr
		}
	}
}

// pickLocked chooses a worker for hook h: the one its runs prefer (so its
// warm runtimes are used) if it has room, else the least busy one with
// room. Callers hold mu.
func (p *workerPool) pickLocked(h *Hook) *proc {
	var best *proc
	var avail []*proc
	for _, w := range p.procs {
		if w.ready && !w.draining && !w.dead && w.kill == killNone && len(w.runs) < p.cfg.RunsPerWorker {
			avail = append(avail, w)
			if best == nil || len(w.runs) < len(best.runs) {
				best = w
			}
		}
	}
	if len(avail) > 1 {
		// The preferred worker, among the live ones in a stable order.
		key := maphash.String(p.seed, h.ID+"\x00"+h.Name+"\x00"+h.Script)
		pref := avail[key%uint64(len(avail))]
		if len(pref.runs) <= len(best.runs)+1 {
			return pref
		}
	}
	return best
}

// await waits for run r's answer, killing its worker when the run passes
// its wall time or its context ends and the worker does not answer within
// the grace.
func (p *workerPool) await(ctx context.Context, r *prun, wallErr error) outcome {
	wall := time.NewTimer(time.Until(r.wallEnd) + p.cfg.Grace)
	defer wall.Stop()
	done := ctx.Done()
	var grace <-chan time.Time
	for {
		select {
		case o := <-r.done:
			return o
		case <-wall.C:
			return p.expire(r, wallErr, killWall)
		case <-done:
			done = nil
			p.mu.Lock()
			r.w.sendLocked(&workerproto.Message{Kind: workerproto.KindCancel, Run: r.id})
			p.mu.Unlock()
			t := time.NewTimer(p.cfg.Grace)
			defer t.Stop()
			grace = t.C
		case <-grace:
			return p.expire(r, ctx.Err(), killWall)
		case <-p.e.stop:
			return p.expire(r, ErrClosed, killNone)
		}
	}
}

// expire answers r with err itself, killing its worker for kind, unless an
// answer came first.
func (p *workerPool) expire(r *prun, err error, kind killKind) outcome {
	p.mu.Lock()
	if r.answered {
		p.mu.Unlock()
		return <-r.done
	}
	p.answerLocked(r, outcome{err: err})
	if kind != killNone {
		p.killLocked(r.w, kind)
	} else {
		r.w.sendLocked(&workerproto.Message{Kind: workerproto.KindCancel, Run: r.id})
	}
	p.mu.Unlock()
	return <-r.done
}

// conclude builds the result of x from its answer.
func (p *workerPool) conclude(x *execution, r *prun, o outcome) (*Result, error) {
	x.finished = true
	var cpu time.Duration
	if o.res != nil {
		x.env = triggers.Envelope{Status: triggers.Status(o.res.Status), Data: o.res.Data}
		x.seenForm = triggers.Form(o.res.Form)
		x.err = decodeRunError(o.res.Err)
		x.dropped, cpu = o.res.LogsDropped, o.res.CPUTime
		x.logs = make([]LogEntry, 0, len(o.res.Logs))
		for _, l := range o.res.Logs {
			x.logs = append(x.logs, LogEntry{Time: l.Time, Level: sandbox.Level(l.Level), Message: l.Message})
		}
		var le *sandbox.LimitError
		if errors.As(x.err, &le) && errors.Is(le, ErrWallTimeExceeded) {
			// The worker was given what was left of the wall time when
			// the run reached it; the limit is the hook's.
			le.Limit = p.e.cfg.limits.merge(x.hook.Limits).WallTime.String()
			x.env = envelopeFor(x.err)
		}
		if x.env.Status != triggers.StatusSuccess && x.env.Status != triggers.StatusError {
			x.err = fmt.Errorf("%w: a worker answered with status %q", ErrInternal, o.res.Status)
			x.env = envelopeFor(x.err)
		}
	} else {
		x.err = o.err
		x.env = envelopeFor(o.err)
		if errors.Is(o.err, ErrWorkerLost) {
			x.env = triggers.ErrorEnvelope("message", "The worker process running the hook died", "code", "worker_lost")
		}
		p.mu.Lock()
		x.logs = r.logs
		p.mu.Unlock()
		if errors.Is(o.err, ErrCPUTimeExceeded) {
			cpu = r.cpu // at least: the worker could not say
		}
	}
	res, err := x.concludeEarly()
	if res != nil {
		res.CPUTime = cpu
	}
	return res, err
}

// monitor polls the workers' memory and CPU time, often while runs are in
// flight, and recycles old workers.
func (p *workerPool) monitor() {
	defer p.wg.Done()
	t := time.NewTimer(monitorIdle)
	defer t.Stop()
	idle := true
	for {
		select {
		case <-p.quit:
			return
		case <-p.wake:
			// A run started while polling slowly: poll often from now.
			if !idle {
				continue
			}
			if !t.Stop() {
				<-t.C
			}
			idle = false
			t.Reset(monitorBusy)
			continue
		case <-t.C:
		}
		busy := p.tick()
		idle = !busy
		if busy {
			t.Reset(monitorBusy)
		} else {
			t.Reset(monitorIdle)
		}
	}
}

// tick checks every worker once, and says whether runs are in flight.
func (p *workerPool) tick() bool {
	p.mu.Lock()
	procs := slices.Clone(p.procs)
	p.mu.Unlock()
	busy := false
	now := time.Now()
	for _, w := range procs {
		rss, rssErr := procRSS(w.pid)
		cpu, cpuErr := procCPU(w.pid)
		p.mu.Lock()
		if w.dead || w.kill != killNone || !w.ready {
			p.mu.Unlock()
			continue
		}
		w.dropEndedLocked(now)
		if len(w.runs) > 0 || len(w.live) > 0 {
			busy = true
		}
		switch {
		case rssErr == nil && rss > p.cfg.Memory:
			p.log.Warn("a worker is over its memory limit; killing it", zap.Int("pid", w.pid), zap.Int64("rss", rss), zap.Int64("limit", p.cfg.Memory))
			p.killLocked(w, killMemory)
		case cpuErr == nil:
			if len(w.live) == 0 {
				// Idle: a new busy period starts from here.
				w.cpuBase, w.cpuAllow, w.cpuIdle = cpu, 0, false
			} else if w.cpuIdle {
				w.cpuBase, w.cpuIdle = cpu, false
			} else if cpu-w.cpuBase > w.cpuAllow+int64(cpuGrace) {
				p.cpuKillLocked(w, now, cpu-w.cpuBase)
			}
		}
		if !w.draining && w.kill == killNone && now.Sub(w.born) > p.cfg.MaxAge {
			p.drainLocked(w)
		}
		p.mu.Unlock()
	}
	return busy
}

// dropEndedLocked drops from live the answered runs whose wall time, and
// the grace, ended before now. It looks only at those, at runs already
// retried, and at the first of the runs left: under a steady load live holds
// every run of the last wall time (20 s by default), too many to go through
// at every poll. Callers hold mu.
func (w *proc) dropEndedLocked(now time.Time) {
	for len(w.expiry) > 0 {
		r := w.expiry[0]
		if w.live[r.id] == r {
			if !r.answered || !now.After(r.wallEnd.Add(w.p.cfg.Grace)) {
				return
			}
			delete(w.live, r.id)
			delete(w.byExec, r.exec)
		}
		// else a retried run, already gone
		heap.Pop(&w.expiry)
	}
}

// expiring is a heap (container/heap) of runs, the one whose wall time
// ends first on top.
type expiring []*prun

func (q expiring) Len() int           { return len(q) }
func (q expiring) Less(i, j int) bool { return q[i].wallEnd.Before(q[j].wallEnd) }
func (q expiring) Swap(i, j int)      { q[i], q[j] = q[j], q[i] }
func (q *expiring) Push(x any)        { *q = append(*q, x.(*prun)) }
func (q *expiring) Pop() any {
	old := *q
	r := old[len(old)-1]
	old[len(old)-1] = nil
	*q = old[:len(old)-1]
	return r
}

// cpuKillLocked kills a worker that used more CPU time than its runs may:
// a script stuck in a native call that does not see the watchdog's
// interrupt. The runs that have been running at least their CPU limit are
// the ones that can have used it: they end with ErrCPUTimeExceeded; the
// others are retried or lost as for any killed worker. Callers hold mu.
func (p *workerPool) cpuKillLocked(w *proc, now time.Time, used int64) {
	p.log.Warn("a worker used more CPU time than its runs' limits allow; killing it", zap.Int("pid", w.pid),
		zap.Duration("used", time.Duration(used)), zap.Duration("allowed", time.Duration(w.cpuAllow)+cpuGrace))
	for _, r := range w.runs {
		if now.Sub(r.began) >= r.cpu {
			p.answerLocked(r, outcome{err: &sandbox.LimitError{Err: ErrCPUTimeExceeded, Limit: r.cpu.String()}})
		}
	}
	p.killLocked(w, killCPU)
}

// drainAll tells every worker to end once the work its runs left running
// is done, and waits for them until ctx ends.
func (p *workerPool) drainAll(ctx context.Context) {
	p.mu.Lock()
	p.closing = true
	for _, w := range p.procs {
		if !w.dead && w.kill == killNone && !w.closeSet {
			w.draining = true
			if len(w.runs) == 0 {
				p.closeWorkerLocked(w)
			}
		}
	}
	p.mu.Unlock()
	for {
		p.mu.Lock()
		n, ch := len(p.procs)+p.spawning, p.changed
		p.mu.Unlock()
		if n == 0 {
			return
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return
		}
	}
}

// close kills every worker and waits for them and the pool's goroutines.
func (p *workerPool) close() { p.closed.Do(p.doClose) }

func (p *workerPool) doClose() {
	p.mu.Lock()
	p.closing = true
	for _, w := range p.procs {
		p.killLocked(w, killClose)
	}
	p.broadcastLocked()
	p.mu.Unlock()
	// Wait for the workers to be reaped (replacements in progress
	// included: they are killed as they arrive).
	for {
		p.mu.Lock()
		for _, w := range p.procs {
			p.killLocked(w, killClose)
		}
		n, ch := len(p.procs)+p.spawning, p.changed
		p.mu.Unlock()
		if n == 0 {
			break
		}
		<-ch
	}
	close(p.quit)
	p.wg.Wait()
}

func (p *workerPool) statsSnapshot() WorkerStats {
	p.mu.Lock()
	live := len(p.procs)
	p.mu.Unlock()
	return WorkerStats{
		Live: live, Started: p.started.Load(), Recycled: p.recycled.Load(),
		KilledWallTime: p.killedWall.Load(), KilledCPUTime: p.killedCPU.Load(), KilledMemory: p.killedMemory.Load(),
		Crashed: p.crashed.Load(), Retried: p.retried.Load(), Lost: p.lost.Load(),
	}
}
