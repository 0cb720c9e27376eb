package engine

import (
	"errors"
	"fmt"
	"runtime"
	"time"
)

// Defaults of ProcessIsolation.
const (
	// DefaultRunsPerWorker is how many runs one worker holds at once.
	DefaultRunsPerWorker = 4
	// DefaultWorkerMaxRuns is how many runs a worker serves before it is
	// replaced.
	DefaultWorkerMaxRuns = 10000
	// DefaultWorkerMaxAge is how long a worker serves before it is
	// replaced.
	DefaultWorkerMaxAge = 10 * time.Minute
	// DefaultWorkerMemory is the memory one worker may hold, measured as
	// its resident set size, its Go runtime and warm runtimes included.
	DefaultWorkerMemory = 512 << 20
	// DefaultWorkerGrace is how long past a run's wall-time limit, or past
	// the cancellation of its context, the parent waits for the worker's
	// answer before it kills the worker.
	DefaultWorkerGrace = 75 * time.Millisecond
	// DefaultWorkerStartTimeout bounds the start of a worker, up to its
	// first message.
	DefaultWorkerStartTimeout = 10 * time.Second
	// workerKernelSlack is what a worker's memory cgroup allows over
	// ProcessIsolation.Memory: the parent's RSS check stops a worker at
	// Memory, the kernel a little later if a single allocation jumps past
	// it between two checks.
	workerKernelSlack = 64 << 20
	// workerDataBase is what RLIMIT_DATA allows over Memory: a Go worker
	// maps writable memory it never touches (thread stacks, runtime
	// metadata). Measured on linux/amd64 with Go 1.26: an idle worker has
	// VmData 113 MB at 16 MB resident, 148 MB at 30 MB after 200 runs of
	// 20 hooks. So RLIMIT_DATA = Memory + 128 MiB, which lets the heap
	// reach about Memory + 30 MiB.
	workerDataBase = 128 << 20
)

// ErrWorkerLost reports a run whose worker process died because of another
// run (killed at that run's limit) or crashed, when the run could not be
// retried on another worker: it had already sent a fetch request (a side
// effect that must not happen twice), or it had already been retried once.
var ErrWorkerLost = errors.New("engine: the worker process running the hook died")

// ProcessIsolation configures the worker-process tier (see
// WithProcessIsolation). Zero fields take the defaults.
type ProcessIsolation struct {
	// Workers is how many worker processes run hooks. Default GOMAXPROCS,
	// at least 2.
	Workers int
	// RunsPerWorker bounds the runs one worker holds at once; more runs
	// wait for a free place. Default DefaultRunsPerWorker.
	RunsPerWorker int
	// MaxRuns and MaxAge recycle a worker: after that many runs, or that
	// long, it takes no new runs, a replacement starts, and it ends once
	// its runs (and the work they left running) are done. Defaults
	// DefaultWorkerMaxRuns and DefaultWorkerMaxAge.
	MaxRuns int
	MaxAge  time.Duration
	// Memory bounds the resident memory of one worker, in bytes: the
	// parent kills a worker over it (checked every 10 ms while runs are in
	// flight), and the kernel holds it with RLIMIT_DATA at Memory +
	// 128 MiB (a Go process maps about 110 MiB it does not touch) and, where
	// one can be made, a memory cgroup of its own at Memory + 64 MiB.
	// The worker's engine stops growing runs at three quarters of it (its
	// memory ceiling, if lower than the engine's). Default
	// DefaultWorkerMemory; at least 64 MiB.
	Memory int64
	// Grace is how long past a run's wall-time limit, or past the
	// cancellation of its context, the parent waits for the worker's
	// answer before it kills the worker. Default DefaultWorkerGrace.
	Grace time.Duration
	// Executable and Args start a worker: the program and its arguments
	// (without the program name). Default: this process's own executable
	// (os.Executable) with no arguments; its main must call
	// RunWorkerIfChild first. Give them for a dedicated worker binary.
	Executable string
	Args       []string
	// Env is added to the environment of workers, for what the options
	// given to RunWorkerIfChild need (such as a node_modules directory).
	// Workers inherit only the GO*, LC_*, TZ, LANG, PATH, HOME and TMPDIR
	// variables of this process: keys and tokens in its environment stay
	// out of their reach.
	Env []string
	// StartTimeout bounds the start of a worker. Default
	// DefaultWorkerStartTimeout.
	StartTimeout time.Duration
}

func (p *ProcessIsolation) setDefaults() error {
	if p.Workers < 0 || p.RunsPerWorker < 0 || p.MaxRuns < 0 || p.MaxAge < 0 || p.Memory < 0 || p.Grace < 0 || p.StartTimeout < 0 {
		return fmt.Errorf("engine: negative field in ProcessIsolation %+v", *p)
	}
	if p.Workers == 0 {
		p.Workers = max(2, runtime.GOMAXPROCS(0))
	}
	if p.RunsPerWorker == 0 {
		p.RunsPerWorker = DefaultRunsPerWorker
	}
	if p.MaxRuns == 0 {
		p.MaxRuns = DefaultWorkerMaxRuns
	}
	if p.MaxAge == 0 {
		p.MaxAge = DefaultWorkerMaxAge
	}
	if p.Memory == 0 {
		p.Memory = DefaultWorkerMemory
	}
	if p.Memory < 64<<20 {
		return fmt.Errorf("engine: ProcessIsolation.Memory %d is under 64 MiB, less than a worker needs to start", p.Memory)
	}
	if p.Grace == 0 {
		p.Grace = DefaultWorkerGrace
	}
	if p.StartTimeout == 0 {
		p.StartTimeout = DefaultWorkerStartTimeout
	}
	return nil
}

// WithProcessIsolation runs every hook in a pool of worker processes
// instead of in the engine's own process. Run, RunAsync, results, envelopes
// and errors stay the same; what changes is what holds a hostile script:
//
//   - the parent kills a worker (SIGKILL, that process only) whose run
//     passes its wall-time limit, or its context's cancellation, by
//     p.Grace without an answer, answers the run with the limit's error
//     (or the context's), and starts a replacement: a script stuck in a
//     native call no interrupt reaches cannot hold a caller or a core;
//   - the kernel holds each worker's memory (RLIMIT_DATA, a memory cgroup
//     where the process may create one) and the parent kills a worker over
//     p.Memory, and one over the CPU time its runs may use; runs that
//     caused it end with ErrMemoryExceeded or ErrCPUTimeExceeded, and the
//     Go runtime's fatal "out of memory" ends a worker, never the host;
//   - other runs on a killed or crashed worker are retried once on another
//     worker if they had not sent a fetch request, else they end with
//     ErrWorkerLost.
//
// Workers are this program re-executed (see RunWorkerIfChild, which its
// main must call first) or p.Executable. Each runs an in-process engine
// with this engine's limits, log capture, fetch caps and runtime settings;
// fetch requests are sent by this engine's client (one throttle, guard
// and FetchStats for all workers); console output streams back to this
// engine's logger as it is written; secrets go only to the worker running
// the hook, with the run. WithModule and WithNodeModules do not cross the
// pipe: give the same to RunWorkerIfChild. WithClock does not either:
// workers use the system clock.
//
// New starts the workers and fails if they do not start. Close and
// Shutdown stop them; on Linux workers also die with the parent process.
func WithProcessIsolation(p ProcessIsolation) Option {
	return optionFunc(func(c *config) error {
		if err := p.setDefaults(); err != nil {
			return err
		}
		c.isolation = &p
		return nil
	})
}

// WorkerStats counts the work of the worker-process tier.
type WorkerStats struct {
	// Live is how many workers are running (draining ones included).
	Live int
	// Started counts workers started, replacements included.
	Started int64
	// Recycled counts workers replaced after MaxRuns or MaxAge, or at
	// their own request.
	Recycled int64
	// KilledWallTime, KilledCPUTime and KilledMemory count workers the
	// parent killed because a run passed that limit (or its context was
	// cancelled and the worker did not stop it in time: KilledWallTime).
	KilledWallTime, KilledCPUTime, KilledMemory int64
	// Crashed counts workers that died on their own: a Go panic or fatal
	// error (the kernel's out-of-memory kill and the runtime's out of
	// memory included: those also count in KilledMemory), a signal, a
	// broken pipe.
	Crashed int64
	// Retried counts runs started again on another worker after theirs
	// died; Lost counts runs that ended with ErrWorkerLost.
	Retried, Lost int64
}

// WorkerStats returns the counters of the worker-process tier; all zero
// without WithProcessIsolation.
func (e *Engine) WorkerStats() WorkerStats {
	if e.workers == nil {
		return WorkerStats{}
	}
	return e.workers.statsSnapshot()
}
