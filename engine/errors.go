package engine

import (
	"errors"
	"fmt"

	"github.com/hookengine/hookengine/sandbox"
	"github.com/hookengine/hookengine/triggers"
)

// Errors a run can end with. Run returns them wrapped in a *RunError; test
// for them with errors.Is. A hook that reports an error through its callback
// is not among them: that run succeeded, and its envelope has status
// "error" (see Result).
var (
	// ErrClosed is returned by Run after Close or Shutdown, and by runs that
	// Close interrupted.
	ErrClosed = errors.New("engine: closed")

	// ErrUnknownTrigger reports a hook whose Trigger is not one of the five
	// extensibility points.
	ErrUnknownTrigger = errors.New("engine: unknown trigger")

	// ErrUnknownForm reports a hook whose Form is not one of
	// triggers.FormDetect, FormHook, FormAction and FormRule.
	ErrUnknownForm = errors.New("engine: unknown script form")

	// ErrInvalidInput reports input that fails the extensibility point's
	// checks; the *InputError it wraps has Auth0's exact message.
	ErrInvalidInput = errors.New("engine: invalid input")

	// ErrCompile reports a script that is not valid JavaScript; see
	// *CompileError for the position.
	ErrCompile = errors.New("engine: script does not compile")

	// ErrNoHookFunction reports a script that does not set module.exports to
	// a function.
	ErrNoHookFunction = errors.New("engine: module.exports is not a function")

	// ErrThrown reports a hook that threw, or whose returned promise
	// rejected, before it called its callback. On Auth0 such a hook ran
	// into the time limit; here it ends at once. See *ScriptError.
	ErrThrown = errors.New("engine: hook threw before calling back")

	// ErrNoCallback reports a hook that finished, with nothing left
	// scheduled, without calling its callback. On Auth0 it ran into the time
	// limit; here it ends as soon as nothing can call back any more.
	ErrNoCallback = errors.New("engine: hook finished without calling its callback")

	// ErrWallTimeExceeded reports a run that lasted longer than its wall-time
	// limit (Limits.WallTime), every asynchronous turn and wait included.
	ErrWallTimeExceeded = sandbox.ErrWallTimeExceeded

	// ErrCPUTimeExceeded reports a run that spent more than its CPU-time
	// limit (Limits.CPUTime) running JavaScript.
	ErrCPUTimeExceeded = sandbox.ErrCPUTimeExceeded

	// ErrStackDepthExceeded reports a run that nested calls deeper than its
	// limit (Limits.StackDepth).
	ErrStackDepthExceeded = sandbox.ErrStackDepthExceeded

	// ErrMemoryExceeded reports a run that took more memory than its limit
	// (Limits.Memory), or that was growing the heap when the process went
	// over the engine's ceiling (WithMemoryCeiling).
	ErrMemoryExceeded = sandbox.ErrMemoryExceeded

	// ErrHookQuarantined reports a run refused because earlier runs of the
	// same hook left runtimes stuck in native code and the engine holds as
	// many stuck runtimes as it allows (see WithStuckRuntimes). The hook
	// runs again once its stuck runtimes have ended.
	ErrHookQuarantined = errors.New("engine: hook quarantined: earlier runs of it are stuck in native code")

	// ErrInternal reports a panic in Go code during a run: a bug in
	// hookengine or in a module registered by the embedder. The panic is
	// logged with its stack; the host goes on.
	ErrInternal = errors.New("engine: internal error")
)

// RunError is the error Run returns when a run does not end through the
// hook's callback. It wraps what ended the run: one of the sentinels above,
// a *sandbox.LimitError (which wraps ErrWallTimeExceeded,
// ErrCPUTimeExceeded or ErrStackDepthExceeded), a *CompileError, a
// *ScriptError, an *InputError, or the context's error.
type RunError struct {
	HookID      string
	HookName    string
	Trigger     triggers.ID
	ExecutionID string
	Err         error
}

func (e *RunError) Error() string {
	name := e.HookName
	if name == "" {
		name = e.HookID
	}
	if name == "" {
		return fmt.Sprintf("hookengine: %s hook: %v", e.Trigger, e.Err)
	}
	return fmt.Sprintf("hookengine: %s hook %q: %v", e.Trigger, name, e.Err)
}

// Unwrap returns what ended the run.
func (e *RunError) Unwrap() error { return e.Err }

// CompileError locates a syntax error in a hook script.
type CompileError struct {
	// Message is the parser's description, such as "Unexpected token ;".
	Message string
	// Line and Column are 1-based positions in the script as given.
	Line, Column int

	arity bool // a bare function that does not declare the point's parameters
}

func (e *CompileError) Error() string {
	return fmt.Sprintf("SyntaxError: %s (line %d, column %d)", e.Message, e.Line, e.Column)
}

// Unwrap returns ErrCompile.
func (e *CompileError) Unwrap() error { return ErrCompile }

// HandlerError is a script that does not export what its form needs: a
// Hooks-form module.exports function, or the point's Action handler (such
// as exports.onExecutePreUserRegistration). Message says what was found.
// It wraps ErrNoHookFunction.
type HandlerError struct {
	// Message is the envelope's message, such as "The Action must export
	// onExecutePreUserRegistration as a function".
	Message string
}

func (e *HandlerError) Error() string { return e.Message }

// Unwrap returns ErrNoHookFunction.
func (e *HandlerError) Unwrap() error { return ErrNoHookFunction }

// ScriptError is an exception the hook threw (or a rejection of the promise
// it returned) before calling back.
type ScriptError struct {
	// Message is the error's message, or the thrown value as text.
	Message string
	// Stack is the JavaScript stack, when the thrown value was an Error.
	Stack string
}

func (e *ScriptError) Error() string { return "hook threw: " + e.Message }

// Unwrap returns ErrThrown.
func (e *ScriptError) Unwrap() error { return ErrThrown }

// InputError is input that fails an extensibility point's checks. Message is
// Auth0's exact text, such as "Body.user received by extensibility point is
// not an object".
type InputError struct {
	Message string
}

func (e *InputError) Error() string { return e.Message }

// Unwrap returns ErrInvalidInput.
func (e *InputError) Unwrap() error { return ErrInvalidInput }
