package sandbox

import (
	"errors"
	"fmt"
	"time"
)

// Errors that end an execution. Each limit has its own sentinel so callers can
// tell them apart with errors.Is; the error actually returned is usually a
// *LimitError that wraps one of them.
var (
	// ErrWallTimeExceeded reports that an execution ran past its wall-time
	// limit, counting every asynchronous turn and every wait in between.
	ErrWallTimeExceeded = errors.New("sandbox: wall-time limit exceeded")

	// ErrCPUTimeExceeded reports that an execution spent more than its CPU
	// budget running JavaScript.
	ErrCPUTimeExceeded = errors.New("sandbox: CPU-time limit exceeded")

	// ErrStackDepthExceeded reports that a script nested calls deeper than the
	// execution's call-stack limit.
	ErrStackDepthExceeded = errors.New("sandbox: call-stack depth limit exceeded")

	// ErrMemoryExceeded reports that an execution went over its memory
	// limit, or took the process heap over the engine's ceiling.
	ErrMemoryExceeded = errors.New("sandbox: memory limit exceeded")

	// ErrStopped reports that the runtime's owner (usually an engine being
	// closed) stopped the execution.
	ErrStopped = errors.New("sandbox: execution stopped")

	// ErrIdle is returned by Runtime.Wait when the event loop has nothing left
	// to run (no timers, immediates or pending operations) before the
	// condition it waited for became true. Nothing can make it true any more.
	ErrIdle = errors.New("sandbox: event loop idle")

	// ErrNotRunning is returned when a method that needs an execution is
	// called outside Begin/End.
	ErrNotRunning = errors.New("sandbox: no execution in progress")
)

// LimitError is the error an execution ends with when it exceeds one of its
// limits. It wraps the matching sentinel (ErrWallTimeExceeded,
// ErrCPUTimeExceeded, ErrStackDepthExceeded or ErrMemoryExceeded).
type LimitError struct {
	// Err is the sentinel naming the limit.
	Err error
	// Limit is the configured value that was exceeded: a duration for time
	// limits, a call depth for the stack limit, a size for memory.
	Limit string
}

// Error names the limit and its configured value.
func (e *LimitError) Error() string {
	return fmt.Sprintf("%v (limit %s)", e.Err, e.Limit)
}

// Unwrap returns the sentinel naming the limit.
func (e *LimitError) Unwrap() error { return e.Err }

func timeLimitError(sentinel error, limit time.Duration) *LimitError {
	return &LimitError{Err: sentinel, Limit: limit.String()}
}

// PanicError is returned when Go code panicked while a script ran, either in
// the engine or in a host function. The runtime is not reusable afterwards.
type PanicError struct {
	// Value is what was passed to panic.
	Value any
	// Stack is the Go stack of the panicking goroutine, truncated to 64 KiB.
	Stack []byte
}

// Error reports the panic value; the Go stack is left to Stack.
func (e *PanicError) Error() string {
	return fmt.Sprintf("sandbox: panic while running script: %v", e.Value)
}

// CanceledError reports that the context of an execution was cancelled or
// passed its deadline. It unwraps to the context's error, so
// errors.Is(err, context.Canceled) and errors.Is(err,
// context.DeadlineExceeded) work.
type CanceledError struct {
	// Err is the context's error: context.Canceled or
	// context.DeadlineExceeded.
	Err error
}

// Error reports the cancellation and the context's error.
func (e *CanceledError) Error() string { return "sandbox: execution cancelled: " + e.Err.Error() }

// Unwrap returns the context's error.
func (e *CanceledError) Unwrap() error { return e.Err }
