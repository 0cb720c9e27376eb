package engine

import (
	"sync"
	"time"

	"github.com/hookengine/hookengine/sandbox"
	"github.com/hookengine/hookengine/triggers"
)

// Hook is a hook script and what it runs with: the equivalent of Auth0's hook
// resource. The engine never modifies a Hook.
type Hook struct {
	// ID identifies the hook in logs and results, like Auth0's 26-character
	// hook ids. Optional.
	ID string
	// Name is the hook's name, for logs and for stack traces, where the
	// script is called Name + ".js" ("hook.js" when Name is empty).
	// Optional.
	Name string
	// Trigger is the extensibility point the script is written for.
	Trigger triggers.ID
	// Script is the JavaScript source, in one of three forms: the Hooks
	// form (module.exports = function (user, context, cb) {...}), the
	// Actions form (exports.onExecutePreUserRegistration = async (event,
	// api) => {...}) or a bare function (function (user, context,
	// callback) {...}, as Rules were written). See Form.
	Script string
	// Form is the form Script is written in; the zero value,
	// triggers.FormDetect, tells it from the script. Every form gives the
	// same kind of Result and Outcome.
	Form triggers.Form
	// Secrets are the values the script reads as
	// context.webtask.secrets.NAME. The engine never shows their values:
	// they are replaced by [REDACTED], in every encoding of them, in
	// Result.Logs, in every line and field the engine logs about the run,
	// and in the message and stack of a RunError (see ScriptError). Values
	// shorter than 4 characters are not redacted. Result.Envelope is the
	// hook's answer and keeps them: a program that shows it to people
	// redacts it (as mgmtapi's run endpoints do).
	Secrets map[string]string
	// Dependencies are the npm packages the script declares it needs, by
	// name, each with a version or npm range, as in Auth0's hook
	// "dependencies". Before each run they are checked against the
	// engine's own modules (which satisfy any version of the package they
	// implement, such as auth0 or axios) and the directory given to
	// WithNodeModules; a missing package or a mismatched version ends the
	// run before the script starts, with an error naming both versions
	// (see sandbox.DependencyError).
	Dependencies map[string]string
	// Limits override the engine's limits for this hook; zero fields keep
	// the engine's.
	Limits Limits
	// FreshRuntime runs every execution of this hook in a new runtime, so
	// no module-level state carries over between runs (see Engine).
	FreshRuntime bool
}

// Result is what one run produced.
type Result struct {
	// ExecutionID identifies the run in logs: a 26-character sortable id.
	ExecutionID string
	// Trigger is the hook's extensibility point.
	Trigger triggers.ID
	// Envelope is exactly what Auth0's Hooks runtime would have answered:
	// status "success" with the value the hook called back with, or status
	// "error" with the error's properties. Runs that end without calling
	// back (limits, compile errors, invalid input) have an error envelope
	// too, describing why.
	Envelope triggers.Envelope
	// Form is the form the script was found in: FormHook, FormAction or
	// FormRule; Hook.Form (FormDetect when it was not set) when the run
	// ended before the script's module ran, such as on a compile error.
	Form triggers.Form
	// outcome interprets Envelope on first use (see Outcome).
	outcome *lazyOutcome
	// Logs is the console output of the run up to its result, bounded by
	// WithLogCapture. Output the hook writes after calling back goes to the
	// logger only.
	Logs []LogEntry
	// LogsDropped counts console lines that did not fit in Logs.
	LogsDropped int
	// Duration is the time from the start of Run to the result.
	Duration time.Duration
	// CPUTime is the time charged against the run's CPU budget up to the
	// result (see Limits.CPUTime).
	CPUTime time.Duration
}

// Outcome returns what the envelope means for the extensibility point,
// typed: *triggers.CredentialsExchangeOutcome,
// *triggers.PreUserRegistrationOutcome and so on. It is worked out on the
// first call, so runs whose callers only need the envelope do not pay for
// it. It is safe for concurrent use.
func (r *Result) Outcome() triggers.Outcome {
	if r.outcome == nil {
		return nil
	}
	l := r.outcome
	l.once.Do(func() { l.o = l.t.OutcomeOf(l.form, l.env) })
	return l.o
}

type lazyOutcome struct {
	once sync.Once
	t    *triggers.Trigger
	form triggers.Form
	env  triggers.Envelope
	o    triggers.Outcome
}

// LogEntry is one line of console output.
type LogEntry struct {
	Time    time.Time     `json:"time"`
	Level   sandbox.Level `json:"level"`
	Message string        `json:"message"`
}
