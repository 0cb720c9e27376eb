package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"runtime/debug"
	"slices"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"github.com/hookengine/hookengine/internal/workerproto"
	"github.com/hookengine/hookengine/sandbox"
	"github.com/hookengine/hookengine/sandbox/fetch"
	"github.com/hookengine/hookengine/triggers"
)

// WorkerEnv is the environment variable that marks a worker process of the
// process-isolation tier: the engine starts its workers with
// WorkerEnv=1, and RunWorkerIfChild turns such a process into a worker.
const WorkerEnv = "HOOKENGINE_WORKER"

// Worker pipes: the parent's messages arrive on fd 3, the worker's go out
// on fd 4 (exec.Cmd.ExtraFiles). Stdout is not used; stderr is read by the
// parent, which logs what a dying worker printed.
const (
	workerInFD  = 3
	workerOutFD = 4
)

// RunWorkerIfChild makes the process a worker of an engine with process
// isolation (WithProcessIsolation) when the engine started it, and does
// nothing otherwise. Call it first thing in main, before flags are parsed
// or anything else starts:
//
//	func main() {
//		engine.RunWorkerIfChild()
//		...
//	}
//
// In an ordinary process it returns at once. In a worker it never returns:
// it serves runs until the engine that started it closes or exits, then
// ends the process. A test binary calls it in TestMain, before m.Run, so it
// can be its own worker.
//
// opts are options of the worker's own engine, applied before the limits
// and settings the parent sends: give here what cannot cross a pipe, such
// as WithModule and WithNodeModules, the same as the parent's. Options the
// parent sends (limits, log capture, fetch caps, runtimes) override them.
func RunWorkerIfChild(opts ...Option) {
	if os.Getenv(WorkerEnv) != "1" {
		return
	}
	os.Exit(runWorker(opts))
}

// runWorker serves the parent until it closes the pipe or says Close, and
// returns the exit code.
func runWorker(opts []Option) int {
	// Ctrl-C in a terminal and a service manager's SIGTERM reach the whole
	// process group or cgroup: the worker ignores them and lets its parent,
	// which shuts down gracefully, end it (or the parent-death signal).
	signal.Ignore(syscall.SIGINT, syscall.SIGTERM)
	in := pipeFile(workerInFD, "hookengine-worker-in")
	out := pipeFile(workerOutFD, "hookengine-worker-out")
	if in == nil || out == nil {
		fmt.Fprintln(os.Stderr, "hookengine worker: started without its pipes (fd 3 and 4)")
		return 2
	}
	c := &workerChild{r: workerproto.NewReader(in), w: workerproto.NewWriter(out),
		runs: make(map[uint64]context.CancelFunc), fetches: make(map[uint64]chan *workerproto.FetchResponse)}
	m, err := c.r.Read()
	if err != nil || m.Kind != workerproto.KindInit || m.Init == nil {
		fmt.Fprintf(os.Stderr, "hookengine worker: no init message from the parent (%v)\n", err)
		return 2
	}
	rlimit := "none under the race detector"
	if !raceDetector {
		rlimit = applyWorkerRlimit(m.Init.RlimitData)
	}
	ready := &workerproto.Ready{PID: os.Getpid(), Rlimit: rlimit}
	if m.Init.MemoryLimit > 0 {
		debug.SetMemoryLimit(m.Init.MemoryLimit * 7 / 8)
	}
	e, err := c.newEngine(m.Init, opts)
	if err != nil {
		fmt.Fprintf(os.Stderr, "hookengine worker: %v\n", err)
		return 2
	}
	c.e = e
	e.onStuck = c.askRecycle
	if err := c.w.Write(&workerproto.Message{Kind: workerproto.KindReady, Ready: ready}); err != nil {
		return 2
	}
	return c.serve()
}

// workerChild is the worker's side of the connection.
type workerChild struct {
	r    *workerproto.Reader
	w    *workerproto.Writer
	e    *Engine
	init *workerproto.Init

	mu      sync.Mutex
	runs    map[uint64]context.CancelFunc
	fetches map[uint64]chan *workerproto.FetchResponse
	nextID  atomic.Uint64
	wg      sync.WaitGroup

	recycling atomic.Bool // a KindRecycle was sent
}

// newEngine builds the worker's in-process engine from the embedder's
// options and the parent's settings.
func (c *workerChild) newEngine(in *workerproto.Init, opts []Option) (*Engine, error) {
	c.init = in
	all := append([]Option(nil), opts...)
	all = append(all,
		WithLimits(Limits{WallTime: in.Limits.WallTime, CPUTime: in.Limits.CPUTime, StackDepth: in.Limits.StackDepth, Memory: in.Limits.Memory}),
		WithMemoryCeiling(in.MemoryCeiling),
		WithLogCapture(in.MaxLogLines, in.MaxLogBytes),
		WithFreshRuntimes(in.Fresh),
		WithStuckRuntimes(in.MaxStuck, in.StuckGrace),
		WithLogger(zap.New(&forwardCore{c: c, min: zapcore.Level(in.LogLevel)})),
		WithSpareRuntimes(in.Spares),
		// Requests go to the parent, which sends them with its own client:
		// one throttle, guard and set of counters for all workers. The
		// per-run caps stay here, in each runtime.
		optionFunc(func(cfg *config) error {
			cfg.fetchClient = fetchProxy{c}
			cfg.fetch.MaxRequests, cfg.fetch.MaxConcurrent, cfg.fetch.MaxRunBytes = in.MaxRequests, in.MaxConcurrent, in.MaxRunBytes
			return nil
		}),
	)
	if in.ProgramCache > 0 {
		all = append(all, WithProgramCacheSize(in.ProgramCache))
	}
	if in.MaxIdle > 0 || in.PerHook > 0 {
		all = append(all, WithIdleRuntimes(in.MaxIdle, in.PerHook))
	}
	return New(all...)
}

// serve reads the parent's messages until Close or the end of the pipe.
func (c *workerChild) serve() int {
	for {
		m, err := c.r.Read()
		if err != nil {
			if !errors.Is(err, io.EOF) {
				fmt.Fprintf(os.Stderr, "hookengine worker: reading from the parent: %v\n", err)
			}
			// The parent is gone: nobody waits for the runs.
			return 0
		}
		switch m.Kind {
		case workerproto.KindRun:
			if m.Start != nil {
				c.start(m.Run, m.Start)
			}
		case workerproto.KindCancel:
			c.mu.Lock()
			cancel := c.runs[m.Run]
			c.mu.Unlock()
			if cancel != nil {
				cancel()
			}
		case workerproto.KindFetchResult:
			c.mu.Lock()
			ch := c.fetches[m.Fetch]
			delete(c.fetches, m.Fetch)
			c.mu.Unlock()
			if ch != nil && m.Answer != nil {
				ch <- m.Answer
			}
		case workerproto.KindClose:
			// Drain: let runs and the work they left running end, within
			// the longest wall time a run may have.
			wall := c.init.Limits.WallTime
			if wall <= 0 {
				wall = DefaultWallTime
			}
			ctx, cancel := context.WithTimeout(context.Background(), wall+time.Second)
			_ = c.e.Shutdown(ctx)
			cancel()
			c.wg.Wait()
			return 0
		}
	}
}

type workerRunKey struct{}

// start runs one hook for the parent.
func (c *workerChild) start(id uint64, s *workerproto.Start) {
	h := Hook{
		ID: s.Hook.ID, Name: s.Hook.Name, Trigger: triggers.ID(s.Hook.Trigger), Script: s.Hook.Script,
		Form: triggers.Form(s.Hook.Form), Secrets: s.Hook.Secrets, Dependencies: s.Hook.Dependencies, FreshRuntime: s.Hook.FreshRuntime,
		Limits: Limits{WallTime: s.Hook.Limits.WallTime, CPUTime: s.Hook.Limits.CPUTime,
			StackDepth: s.Hook.Limits.StackDepth, Memory: s.Hook.Limits.Memory,
			FetchRequests: s.Hook.Limits.FetchRequests, FetchRunBytes: s.Hook.Limits.FetchRunBytes},
	}
	if c.init.TestCrashHook != "" && h.Name == c.init.TestCrashHook {
		// Tests only (the parent sets it from an unexported field): a
		// worker that dies the way a Go bug would kill it, before the run
		// starts, so it cannot answer first however loaded the machine.
		panic("hookengine worker: crash requested by a test")
	}
	base := context.WithValue(context.Background(), workerRunKey{}, id)
	var (
		ctx    context.Context
		cancel context.CancelFunc
	)
	if s.Deadline.IsZero() {
		ctx, cancel = context.WithCancel(base)
	} else {
		ctx, cancel = context.WithDeadline(base, s.Deadline)
	}
	c.mu.Lock()
	c.runs[id] = cancel
	c.mu.Unlock()
	var input any
	if !s.NullInput {
		input = json.RawMessage(s.Input)
	}
	c.wg.Add(1)
	go func() {
		defer c.wg.Done()
		res, err := c.e.run(ctx, h, input, s.ExecutionID)
		c.mu.Lock()
		delete(c.runs, id)
		c.mu.Unlock()
		cancel()
		out := &workerproto.Result{Err: encodeRunError(err)}
		if res != nil {
			out.Status, out.Data, out.Form = string(res.Envelope.Status), res.Envelope.Data, string(res.Form)
			out.LogsDropped, out.CPUTime = res.LogsDropped, res.CPUTime
			for _, l := range res.Logs {
				out.Logs = append(out.Logs, workerproto.LogEntry{Time: l.Time, Level: string(l.Level), Message: l.Message})
			}
		}
		_ = c.w.Write(&workerproto.Message{Kind: workerproto.KindResult, Run: id, Result: out})
	}()
}

// askRecycle asks the parent to replace this worker: its engine has just
// abandoned a runtime stuck in a native call (Engine.onStuck). The parent
// drains the worker (no new runs), starts a replacement, and ends it once
// its runs are done, so the stuck goroutine dies with the process.
func (c *workerChild) askRecycle() {
	if c.recycling.CompareAndSwap(false, true) {
		_ = c.w.Write(&workerproto.Message{Kind: workerproto.KindRecycle})
	}
}

// fetchProxy sends a worker's requests to its parent.
type fetchProxy struct{ c *workerChild }

// Do implements sandbox.FetchClient.
func (p fetchProxy) Do(ctx context.Context, req *http.Request) (*fetch.Response, error) {
	run, _ := ctx.Value(workerRunKey{}).(uint64)
	var body []byte
	if req.Body != nil {
		b, err := io.ReadAll(req.Body)
		if err != nil {
			return nil, err
		}
		body = b
	}
	c := p.c
	id := c.nextID.Add(1)
	ch := make(chan *workerproto.FetchResponse, 1)
	c.mu.Lock()
	c.fetches[id] = ch
	c.mu.Unlock()
	msg := &workerproto.Message{Kind: workerproto.KindFetch, Run: run, Fetch: id,
		Request: &workerproto.Request{Method: req.Method, URL: req.URL.String(), Header: req.Header, Body: body}}
	if err := c.w.Write(msg); err != nil {
		c.mu.Lock()
		delete(c.fetches, id)
		c.mu.Unlock()
		return nil, err
	}
	select {
	case a := <-ch:
		if a.Err != nil {
			return nil, decodeFetchError(a.Err)
		}
		return &fetch.Response{Status: a.Status, StatusText: a.StatusText, URL: a.URL, Redirected: a.Redirected,
			Header: a.Header, Body: a.Body}, nil
	case <-ctx.Done():
		c.mu.Lock()
		delete(c.fetches, id)
		c.mu.Unlock()
		_ = c.w.Write(&workerproto.Message{Kind: workerproto.KindFetchCancel, Run: run, Fetch: id})
		return nil, ctx.Err()
	}
}

// runFinishedMsg is the message of the line logEnd writes; the parent
// writes its own for runs in workers.
const runFinishedMsg = "hook run finished"

// forwardCore is the worker engine's zap core: it sends each line to the
// parent, which writes it to its own logger. Lines of a run's output
// (console, and the engine's notes about the script) always go, so the
// parent can keep them for the result if the worker dies; other lines only
// at the parent's level.
type forwardCore struct {
	c      *workerChild
	min    zapcore.Level
	fields []zapcore.Field
}

func (f *forwardCore) Enabled(zapcore.Level) bool { return true }

func (f *forwardCore) With(fs []zapcore.Field) zapcore.Core {
	return &forwardCore{c: f.c, min: f.min, fields: append(append([]zapcore.Field(nil), f.fields...), fs...)}
}

func (f *forwardCore) Check(ent zapcore.Entry, ce *zapcore.CheckedEntry) *zapcore.CheckedEntry {
	if ent.Message == runFinishedMsg {
		return ce // the parent writes its own; nothing of it is built here
	}
	return ce.AddCore(ent, f)
}

func (f *forwardCore) Write(ent zapcore.Entry, fs []zapcore.Field) error {
	console := slices.ContainsFunc(fs, func(fl zapcore.Field) bool { return fl.Key == "source" })
	if !console && ent.Level < f.min {
		return nil
	}
	l := &workerproto.Log{Time: ent.Time, Level: int8(ent.Level), Message: ent.Message, Console: console}
	if console {
		l.ConsoleLevel = string(sandboxLevel(ent.Level))
	}
	for _, fl := range append(append([]zapcore.Field(nil), f.fields...), fs...) {
		enc := zapcore.NewMapObjectEncoder()
		fl.AddTo(enc)
		v, ok := enc.Fields[fl.Key]
		if !ok {
			continue
		}
		if d, isDur := v.(time.Duration); isDur {
			v = d.String()
		}
		b, err := json.Marshal(v)
		if err != nil {
			b, _ = json.Marshal(fmt.Sprint(v))
		}
		if fl.Key == "execution_id" {
			l.ExecutionID = fl.String
		}
		l.Fields = append(l.Fields, workerproto.Field{Key: fl.Key, Value: b})
	}
	return f.c.w.Write(&workerproto.Message{Kind: workerproto.KindLog, Log: l})
}

func (f *forwardCore) Sync() error { return nil }

// sandboxLevel is the console level zapLevel maps to l.
func sandboxLevel(l zapcore.Level) sandbox.Level {
	switch {
	case l <= zapcore.DebugLevel:
		return sandbox.LevelDebug
	case l == zapcore.WarnLevel:
		return sandbox.LevelWarn
	case l >= zapcore.ErrorLevel:
		return sandbox.LevelError
	}
	return sandbox.LevelInfo
}
