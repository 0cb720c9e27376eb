package engine

import (
	"context"
	"errors"
	"time"

	"github.com/hookengine/hookengine/sandbox"
	"github.com/hookengine/hookengine/triggers"
)

// Outcomes of RunInfo: how a run ended. A run that called back has
// OutcomeSuccess or OutcomeError; the others name what ended it instead.
const (
	OutcomeSuccess      = "success"
	OutcomeError        = "error"
	OutcomeLimit        = "limit"
	OutcomeCompile      = "compile_error"
	OutcomeInvalidInput = "invalid_input"
	OutcomeThrown       = "thrown"
	OutcomeNoCallback   = "no_callback"
	OutcomeQuarantined  = "quarantined"
	OutcomeCancelled    = "cancelled"
	OutcomeClosed       = "closed"
	OutcomeDependencies = "dependency_error"
	OutcomeInternal     = "internal_error"
	OutcomeOther        = "other"
)

// Runtimes of RunInfo: where a run ran.
const (
	// RuntimeWarm is a warm runtime of the hook, reused.
	RuntimeWarm = "warm"
	// RuntimeCold is a runtime set up for the run.
	RuntimeCold = "cold"
	// RuntimeWorker is a worker process (WithProcessIsolation), or no
	// runtime at all (the run ended before it had one).
	RuntimeWorker = "worker"
)

// RunInfo describes a finished run, for an Observer.
type RunInfo struct {
	// HookID and HookName identify the hook.
	HookID, HookName string
	// Trigger is the hook's extensibility point.
	Trigger triggers.ID
	// Outcome says how the run ended: one of the Outcome constants.
	Outcome string
	// Limit names the limit that ended the run, when Outcome is
	// OutcomeLimit: "wall_time", "cpu_time", "stack_depth" or "memory".
	Limit string
	// Runtime is RuntimeWarm, RuntimeCold or RuntimeWorker.
	Runtime string
	// Async reports a run started by RunAsync.
	Async bool
	// Duration and CPUTime are those of the Result.
	Duration, CPUTime time.Duration
}

// Observer is told about every finished run: metrics (see package metrics)
// and the like. RunFinished is called on the run's goroutine once the
// result is decided, before Run returns it; it must be quick and safe for
// concurrent use.
type Observer interface {
	RunFinished(RunInfo)
}

// WithObserver has o told about every finished run. Default none.
func WithObserver(o Observer) Option {
	return optionFunc(func(c *config) error {
		c.observer = o
		return nil
	})
}

// observe tells the observer, if any, how the run ended.
func (x *execution) observe(res *Result, err error) {
	o := x.e.cfg.observer
	if o == nil || res == nil {
		return
	}
	info := RunInfo{HookID: x.hook.ID, HookName: x.hook.Name, Trigger: x.t.ID, Async: x.async,
		Duration: res.Duration, CPUTime: res.CPUTime, Runtime: RuntimeWorker}
	if x.hr != nil {
		info.Runtime = RuntimeCold
		if x.warm {
			info.Runtime = RuntimeWarm
		}
	}
	info.Outcome, info.Limit = outcomeOf(res, err)
	o.RunFinished(info)
}

// outcomeOf classifies how a run ended.
func outcomeOf(res *Result, err error) (outcome, limit string) {
	var (
		le *sandbox.LimitError
		ce *CompileError
		ie *InputError
		de *sandbox.DependencyError
	)
	switch {
	case err == nil && res.Envelope.Succeeded():
		return OutcomeSuccess, ""
	case err == nil:
		return OutcomeError, ""
	case errors.Is(err, ErrWallTimeExceeded):
		return OutcomeLimit, "wall_time"
	case errors.Is(err, ErrCPUTimeExceeded):
		return OutcomeLimit, "cpu_time"
	case errors.Is(err, ErrStackDepthExceeded):
		return OutcomeLimit, "stack_depth"
	case errors.Is(err, ErrMemoryExceeded):
		return OutcomeLimit, "memory"
	case errors.As(err, &le):
		return OutcomeLimit, "other"
	case errors.As(err, &ce) || errors.Is(err, ErrCompile):
		return OutcomeCompile, ""
	case errors.As(err, &ie) || errors.Is(err, ErrInvalidInput):
		return OutcomeInvalidInput, ""
	case errors.Is(err, ErrThrown), errors.Is(err, ErrNoHookFunction):
		return OutcomeThrown, ""
	case errors.Is(err, ErrNoCallback):
		return OutcomeNoCallback, ""
	case errors.Is(err, ErrHookQuarantined):
		return OutcomeQuarantined, ""
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return OutcomeCancelled, ""
	case errors.Is(err, ErrClosed):
		return OutcomeClosed, ""
	case errors.As(err, &de):
		return OutcomeDependencies, ""
	case errors.Is(err, ErrInternal):
		return OutcomeInternal, ""
	}
	return OutcomeOther, ""
}
