package engine

import (
	"fmt"
	"io/fs"
	"time"

	"go.opentelemetry.io/otel/trace"
	"go.uber.org/zap"

	"github.com/hookengine/hookengine/sandbox"
	"github.com/hookengine/hookengine/sandbox/fetch"
)

// Defaults for the options of New.
const (
	// DefaultWallTime is Auth0's execution limit for hooks.
	DefaultWallTime = 20 * time.Second
	// DefaultCPUTime bounds the JavaScript a run may execute.
	DefaultCPUTime = 2 * time.Second
	// DefaultStackDepth bounds nested calls.
	DefaultStackDepth = sandbox.DefaultStackDepth
	// DefaultMemory bounds the memory one run may take.
	DefaultMemory = 64 << 20
	// DefaultMemoryCeiling is the process heap size above which runs that
	// keep growing the heap are stopped.
	DefaultMemoryCeiling = 1 << 30
	// DefaultProgramCacheSize is how many compiled scripts stay cached.
	DefaultProgramCacheSize = 512
	// DefaultMaxIdleRuntimes is how many warm runtimes the engine keeps
	// across all hooks.
	DefaultMaxIdleRuntimes = 256
	// DefaultMaxLogLines is how many console lines one run keeps.
	DefaultMaxLogLines = 100
	// DefaultMaxLogBytes is how many bytes of console output one run keeps.
	DefaultMaxLogBytes = 64 << 10
	// DefaultMaxStuckRuntimes is how many stuck runtimes an engine holds
	// before it refuses further runs of the hooks that own them (see
	// WithStuckRuntimes).
	DefaultMaxStuckRuntimes = 4
	// DefaultStuckGrace is how long a run may go on after a limit ended it
	// before Run gives up waiting and abandons its runtime.
	DefaultStuckGrace = 50 * time.Millisecond
)

// Limits bound a run. In an Option they set the engine's defaults; in a
// Hook they override them field by field, zero fields keeping the engine's
// value. Each exceeded limit ends the run with its own error.
type Limits struct {
	// WallTime bounds the whole run: every asynchronous turn and every wait,
	// including work the script leaves running after it called back.
	// Default DefaultWallTime (Auth0's 20 seconds).
	WallTime time.Duration
	// CPUTime bounds the time spent running JavaScript. On Linux it is
	// the thread's real CPU time, so a hook waiting on a timer or on I/O is
	// not charged. Default DefaultCPUTime.
	CPUTime time.Duration
	// StackDepth bounds nested JavaScript calls. Default DefaultStackDepth.
	StackDepth int
	// Memory bounds, in bytes, the memory a run may take (default
	// DefaultMemory): exactly for single allocations by built-ins, and
	// approximately for what a run accumulates, which the engine watches
	// through the process's live heap and may let reach about twice the
	// limit (see sandbox.Limits.Memory).
	Memory int64
	// FetchRequests and FetchRunBytes, when positive, replace
	// FetchOptions.MaxRequests and MaxRunBytes: a Hook's Limits give its
	// runs their own fetch caps.
	FetchRequests int
	FetchRunBytes int64
}

func (l Limits) merge(over Limits) Limits {
	if over.WallTime > 0 {
		l.WallTime = over.WallTime
	}
	if over.CPUTime > 0 {
		l.CPUTime = over.CPUTime
	}
	if over.StackDepth > 0 {
		l.StackDepth = over.StackDepth
	}
	if over.Memory > 0 {
		l.Memory = over.Memory
	}
	if over.FetchRequests > 0 {
		l.FetchRequests = over.FetchRequests
	}
	if over.FetchRunBytes > 0 {
		l.FetchRunBytes = over.FetchRunBytes
	}
	return l
}

func (l Limits) validate() error {
	if l.WallTime < 0 || l.CPUTime < 0 || l.StackDepth < 0 || l.Memory < 0 || l.FetchRequests < 0 || l.FetchRunBytes < 0 {
		return fmt.Errorf("engine: negative limit in %+v", l)
	}
	return nil
}

// An Option configures an Engine.
type Option interface {
	apply(*config) error
}

type optionFunc func(*config) error

func (f optionFunc) apply(c *config) error { return f(c) }

// FetchOptions configure the fetch hooks get. Zero fields take the defaults
// documented in package fetch and sandbox.FetchConfig.
type FetchOptions struct {
	fetch.Options
	// MaxRequests bounds the requests of one run (default 50); the next
	// fetch rejects with a FetchLimitError.
	MaxRequests int
	// MaxConcurrent bounds the requests of one run in flight at once
	// (default 6); later ones wait for a free slot.
	MaxConcurrent int
	// MaxRunBytes bounds the response body bytes of one run, summed over
	// its requests (default 32 MiB, sandbox.DefaultMaxRunBytes): the
	// response that brings the total over it, and every later fetch,
	// rejects with a FetchLimitError. Each response is also bounded by
	// Options.MaxBodyBytes.
	MaxRunBytes int64
}

type config struct {
	logger      *zap.Logger
	limits      Limits
	clock       sandbox.Clock
	programs    int
	maxIdle     int
	perHook     int
	spares      int
	fresh       bool
	modules     *sandbox.Registry
	maxLogLines int
	maxLogBytes int
	fetch       FetchOptions
	observer    Observer
	// tracerProvider records spans when set (WithTracerProvider).
	tracerProvider trace.TracerProvider
	ceiling        int64
	maxStuck       int
	stuckGrace     time.Duration

	// isolation, when set, runs hooks in worker processes (worker_*.go).
	isolation *ProcessIsolation
	// fetchClient, when set, sends the requests of scripts instead of the
	// engine's own fetch.Client: a worker process's proxy to its parent.
	fetchClient sandbox.FetchClient
	// testCrashHook is set by tests only (see export_test.go).
	testCrashHook string
}

// WithLogger sends the engine's logs, console output of hooks included, to
// l. The default discards them.
func WithLogger(l *zap.Logger) Option {
	return optionFunc(func(c *config) error {
		if l == nil {
			return fmt.Errorf("engine: WithLogger(nil)")
		}
		c.logger = l
		return nil
	})
}

// WithLimits sets the default limits of every run; zero fields keep the
// package defaults.
func WithLimits(l Limits) Option {
	return optionFunc(func(c *config) error {
		if err := l.validate(); err != nil {
			return err
		}
		c.limits = c.limits.merge(l)
		return nil
	})
}

// WithClock makes the engine read time from clk: Date in scripts, timers and
// the wall-time limit. Tests use enginetest.Clock to run hooks in virtual
// time. CPU time is always measured for real.
func WithClock(clk sandbox.Clock) Option {
	return optionFunc(func(c *config) error {
		if clk == nil {
			return fmt.Errorf("engine: WithClock(nil)")
		}
		c.clock = clk
		return nil
	})
}

// WithProgramCacheSize sets how many compiled scripts the engine keeps,
// least recently used first out. Default DefaultProgramCacheSize.
func WithProgramCacheSize(n int) Option {
	return optionFunc(func(c *config) error {
		if n < 1 {
			return fmt.Errorf("engine: program cache size %d < 1", n)
		}
		c.programs = n
		return nil
	})
}

// WithIdleRuntimes bounds the warm runtimes kept between runs: total
// across all hooks, and perHook for any one hook (0 means twice
// GOMAXPROCS). Default DefaultMaxIdleRuntimes in total.
//
// total is the engine's memory budget for warm hooks, in runtimes: when it
// is reached, the idle runtimes of the least recently used hook are dropped
// (counted in Stats.EvictedRuntimes) and that hook's next run is a cold
// one. To turn a budget in bytes into a count, divide it by what one warm
// hook keeps (bench/README.md, RetainedMemory); with perHook 1, the count
// is the number of hooks kept warm.
func WithIdleRuntimes(total, perHook int) Option {
	return optionFunc(func(c *config) error {
		if total < 0 || perHook < 0 {
			return fmt.Errorf("engine: negative idle runtime bound")
		}
		c.maxIdle, c.perHook = total, perHook
		return nil
	})
}

// WithSpareRuntimes keeps n runtimes set up in advance, with no hook
// loaded, so that the first run of a hook (a new or changed script, a hook
// whose warm runtimes were evicted) takes one instead of building its
// runtime on the caller's request path. A goroutine builds a replacement
// for each spare taken; building costs the same CPU as before, spent off
// the request path, and each spare holds the memory of a bare runtime
// (bench/README.md measures both). Runs that get a runtime of their own
// (WithFreshRuntimes, Hook.FreshRuntime, a replaced broken runtime) use
// spares too. New builds the first n before it returns. With
// WithProcessIsolation every worker process keeps n spares of its own,
// built before it takes its first run. Default 0: every runtime is built
// when a run needs it.
func WithSpareRuntimes(n int) Option {
	return optionFunc(func(c *config) error {
		if n < 0 {
			return fmt.Errorf("engine: negative spare runtime count %d", n)
		}
		c.spares = n
		return nil
	})
}

// WithFreshRuntimes makes every run use a new runtime, as if each run were
// the first: no module-level state survives from one run to the next. It
// costs the module's set-up on every run. Hook.FreshRuntime does the same for
// one hook.
func WithFreshRuntimes(fresh bool) Option {
	return optionFunc(func(c *config) error {
		c.fresh = fresh
		return nil
	})
}

// WithModule lets hook scripts require name: m builds the module's exports,
// once per runtime. A module of the same name, built-ins included, is
// replaced. Nothing that is neither registered nor in the directory given to
// WithNodeModules can be required.
func WithModule(name string, m sandbox.Module) Option {
	return optionFunc(func(c *config) error {
		return c.modules.Register(name, m)
	})
}

// WithNodeModules lets hooks require the pure-JavaScript CommonJS packages
// of a node_modules directory: fsys's root is the directory itself (its
// entries are package directories such as "lodash" and "@scope/pkg"). It is
// read-only to hooks, never read outside, and must not change while the
// engine runs (files are read and compiled once). Prefer an *os.Root's FS,
// under which symbolic links cannot lead out of the directory either.
// Hook.Dependencies and pinned require('name@version') calls are checked
// against the versions installed there. See sandbox.Registry.SetNodeModules
// for how require resolves packages and what it refuses.
func WithNodeModules(fsys fs.FS) Option {
	return optionFunc(func(c *config) error {
		if fsys == nil {
			return fmt.Errorf("engine: WithNodeModules(nil)")
		}
		c.modules.SetNodeModules(fsys)
		return nil
	})
}

// WithLogCapture bounds the console output one run keeps in its Result and
// writes to the logger: at most lines lines and bytes bytes. Output past
// either bound is dropped and counted in Result.LogsDropped.
func WithLogCapture(lines, bytes int) Option {
	return optionFunc(func(c *config) error {
		if lines < 0 || bytes < 0 {
			return fmt.Errorf("engine: negative log capture bound")
		}
		c.maxLogLines, c.maxLogBytes = lines, bytes
		return nil
	})
}

// WithFetch configures the fetch function of hooks: the hosts and networks it
// may reach besides public addresses (Allow), how it paces each origin from
// its rate-limit headers, retries 429s and bounds redirects and bodies, and
// the per-run request caps. Without it fetch runs with the defaults and
// reaches public addresses only.
func WithFetch(opts FetchOptions) Option {
	return optionFunc(func(c *config) error {
		if opts.MaxRequests < 0 || opts.MaxConcurrent < 0 || opts.MaxRunBytes < 0 {
			return fmt.Errorf("engine: negative fetch limit")
		}
		c.fetch = opts
		return nil
	})
}

// WithMemoryCeiling sets the engine-wide memory ceiling: when the process
// heap grows over ceiling bytes, runs that are growing it are stopped with
// ErrMemoryExceeded. Default DefaultMemoryCeiling; 0 turns the ceiling off
// (per-run limits still apply). Unless the process has a soft memory limit
// of its own (GOMEMLIMIT or debug.SetMemoryLimit), New also sets the Go
// runtime's soft limit a quarter above the ceiling, so that garbage is
// collected, and the heap measured, more often as the ceiling nears.
func WithMemoryCeiling(ceiling int64) Option {
	return optionFunc(func(c *config) error {
		if ceiling < 0 {
			return fmt.Errorf("engine: negative memory ceiling")
		}
		c.ceiling = ceiling
		return nil
	})
}

// WithStuckRuntimes sets how the engine treats a runtime that does not stop
// when a run ends. goja checks for interruption between instructions, so a
// script inside one long native operation cannot be stopped at once. When a
// run's limit (or its context, or Close) has ended it and the runtime has
// not stopped within grace (real time), Run returns the limit's error
// without waiting further: the runtime is abandoned, counted in
// Stats.StuckRuntimes, logged with the hook's id, and never used again; its
// goroutine ends whenever the native operation does. Once max runtimes are
// stuck at the same time, runs of every hook that owns one of them fail with
// ErrHookQuarantined until its stuck runtimes have ended; other hooks still
// run. Defaults DefaultMaxStuckRuntimes and DefaultStuckGrace; zero keeps a
// default. Only the worker-process tier (which can kill a process) frees
// the core a stuck runtime holds.
func WithStuckRuntimes(max int, grace time.Duration) Option {
	return optionFunc(func(c *config) error {
		if max < 0 || grace < 0 {
			return fmt.Errorf("engine: negative stuck-runtime setting")
		}
		if max > 0 {
			c.maxStuck = max
		}
		if grace > 0 {
			c.stuckGrace = grace
		}
		return nil
	})
}
