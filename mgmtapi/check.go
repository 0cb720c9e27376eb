package mgmtapi

import (
	"errors"
	"fmt"
	"maps"
	"net/http"
	"slices"

	"github.com/hookengine/hookengine/engine"
	"github.com/hookengine/hookengine/sandbox"
	"github.com/hookengine/hookengine/triggers"
)

// A Compiler checks that a hook's script compiles for its trigger, as
// engine.Engine.Compile does: nil, or an error wrapping an
// *engine.CompileError that locates the problem. *engine.Engine is one.
type Compiler interface {
	Compile(h engine.Hook) error
}

var _ Compiler = (*engine.Engine)(nil)

// A DependencyChecker checks the npm packages a hook declares as the engine
// does before each run: nil, or an error joining one
// *sandbox.DependencyError per problem. *engine.Engine is one. When the
// Compiler given to WithCompiler is one too, the check endpoint also
// answers a verdict per declared dependency.
type DependencyChecker interface {
	CheckDependencies(deps map[string]string) error
}

var _ DependencyChecker = (*engine.Engine)(nil)

// CheckResult is the answer of the check endpoint.
type CheckResult struct {
	// Compiles reports whether the script compiles for the trigger.
	Compiles bool `json:"compiles"`
	// Error says why it does not; absent when it does.
	Error *CheckError `json:"error,omitempty"`
	// Dependencies is the verdict on each dependency the request
	// declared, by package name; absent when it declared none.
	Dependencies []DependencyVerdict `json:"dependencies,omitempty"`
}

// DependencyVerdict is the engine's verdict on one declared dependency.
type DependencyVerdict struct {
	// Name is the package name.
	Name string `json:"name"`
	// Version is the version or range the hook asks for.
	Version string `json:"version"`
	// OK reports whether the engine can satisfy it.
	OK bool `json:"ok"`
	// Installed is the installed version, when there is one and the
	// dependency is not OK.
	Installed string `json:"installed,omitempty"`
	// Problem classifies what is wrong (see sandbox.DependencyProblem:
	// missing, wrong_version, esm_only, native_addon, core_module,
	// invalid, unloadable); absent when OK.
	Problem sandbox.DependencyProblem `json:"problem,omitempty"`
	// Reason says what is wrong, in words; absent when OK.
	Reason string `json:"reason,omitempty"`
}

// CheckError is why a script does not compile.
type CheckError struct {
	// Message is the compiler's description, such as "Unexpected token )".
	Message string `json:"message"`
	// Line is the 1-based line of the problem in the script; absent when
	// the problem has no position.
	Line int `json:"line,omitempty"`
	// Column is the 1-based column of the problem on its line.
	Column int `json:"column,omitempty"`
}

// parseCheck validates a check body: {"script": "...", "dependencies":
// {...}}, the script required and not empty, as in a hook, the
// dependencies optional.
func parseCheck(body []byte) (engine.Hook, *Error) {
	var h engine.Hook
	props, perr := decodeObject(body, []string{"script", "dependencies"}, []string{"script"})
	if perr != nil {
		return h, perr
	}
	if h.Script, perr = decodeString(props, "script"); perr != nil {
		return h, perr
	}
	if h.Script == "" {
		return h, payloadError("script", "String is too short (0 chars), minimum 1")
	}
	if raw, ok := props["dependencies"]; ok {
		if h.Dependencies, perr = decodeStringMap(raw, "dependencies"); perr != nil {
			return h, perr
		}
	}
	return h, nil
}

// dependencyVerdicts checks deps with c: a verdict per package, by name.
func dependencyVerdicts(c DependencyChecker, deps map[string]string) []DependencyVerdict {
	problems := map[string]*sandbox.DependencyError{}
	if err := c.CheckDependencies(deps); err != nil {
		errs := []error{err}
		if j, ok := err.(interface{ Unwrap() []error }); ok {
			errs = j.Unwrap()
		}
		for _, e := range errs {
			var de *sandbox.DependencyError
			if errors.As(e, &de) {
				problems[de.Name] = de
			}
		}
	}
	verdicts := make([]DependencyVerdict, 0, len(deps))
	for _, name := range slices.Sorted(maps.Keys(deps)) {
		v := DependencyVerdict{Name: name, Version: deps[name], OK: true}
		if de := problems[name]; de != nil {
			v.OK, v.Installed, v.Problem, v.Reason = false, de.Installed, de.Problem, de.Reason
		}
		verdicts = append(verdicts, v)
	}
	return verdicts
}

// checkScript serves POST /hookengine/v1/triggers/{triggerId}/check.
func (h *Handler) checkScript(w http.ResponseWriter, req *request) {
	t := triggers.ID(req.param)
	if _, ok := triggers.Lookup(t); !ok {
		writeError(w, newError(http.StatusNotFound, CodeUnknownTrigger, fmt.Sprintf(messageUnknownTrigger, req.param, triggerList())))
		return
	}
	hk, perr := parseCheck(req.body)
	if perr != nil {
		writeError(w, perr)
		return
	}
	hk.Trigger = t
	var verdicts []DependencyVerdict
	if dc, ok := h.compiler.(DependencyChecker); ok && len(hk.Dependencies) > 0 {
		verdicts = dependencyVerdicts(dc, hk.Dependencies)
	}
	// The script is compiled on its own: its verdict does not depend on
	// the dependencies'.
	hk.Dependencies = nil
	err := h.compiler.Compile(hk)
	if err == nil {
		writeJSON(w, http.StatusOK, CheckResult{Compiles: true, Dependencies: verdicts})
		return
	}
	ce := &CheckError{Message: err.Error()}
	var cerr *engine.CompileError
	var rerr *engine.RunError
	switch {
	case errors.As(err, &cerr):
		ce.Message, ce.Line, ce.Column = cerr.Message, cerr.Line, cerr.Column
	case errors.As(err, &rerr) && rerr.Err != nil:
		ce.Message = rerr.Err.Error()
	}
	writeJSON(w, http.StatusOK, CheckResult{Error: ce, Dependencies: verdicts})
}

// The typed outcome of a run, as the run endpoints answer it in "outcome".

// outcomeFailure is a triggers.Failure in JSON.
type outcomeFailure struct {
	Name            string `json:"name,omitempty"`
	Message         string `json:"message"`
	FriendlyMessage string `json:"friendly_message,omitempty"`
	Code            string `json:"code,omitempty"`
}

func failureView(f *triggers.Failure) *outcomeFailure {
	if f == nil {
		return nil
	}
	return &outcomeFailure{Name: f.Name, Message: f.Message, FriendlyMessage: f.FriendlyMessage, Code: f.Code}
}

// outcomeView is what a triggers.Outcome means, in JSON; see the package
// documentation for the shapes.
func outcomeView(o triggers.Outcome) any {
	switch o := o.(type) {
	case *triggers.CredentialsExchangeOutcome:
		type oauthError struct {
			Status      int    `json:"status"`
			Error       string `json:"error"`
			Description string `json:"error_description"`
		}
		v := struct {
			Trigger    triggers.ID     `json:"trigger"`
			Scope      []string        `json:"scope"`
			Claims     map[string]any  `json:"claims,omitempty"`
			Ignored    []string        `json:"ignored,omitempty"`
			OAuthError *oauthError     `json:"oauth_error,omitempty"`
			Failure    *outcomeFailure `json:"failure,omitempty"`
		}{Trigger: o.Trigger(), Scope: o.Scope, Claims: o.Claims, Ignored: o.Ignored, Failure: failureView(o.Failure)}
		if e := o.OAuthError; e != nil {
			v.OAuthError = &oauthError{Status: e.StatusCode, Error: e.Code, Description: e.Description}
		}
		return v
	case *triggers.PreUserRegistrationOutcome:
		return struct {
			Trigger      triggers.ID     `json:"trigger"`
			Denied       bool            `json:"denied"`
			UserMetadata map[string]any  `json:"user_metadata"`
			AppMetadata  map[string]any  `json:"app_metadata"`
			Failure      *outcomeFailure `json:"failure,omitempty"`
		}{o.Trigger(), o.Denied(), o.UserMetadata, o.AppMetadata, failureView(o.Failure)}
	case *triggers.SendPhoneMessageOutcome:
		return struct {
			Trigger triggers.ID     `json:"trigger"`
			Result  map[string]any  `json:"result"`
			Failure *outcomeFailure `json:"failure,omitempty"`
		}{o.Trigger(), o.Result, failureView(o.Failure)}
	case nil:
		return nil
	default:
		var f *triggers.Failure
		errors.As(o.Err(), &f)
		return struct {
			Trigger triggers.ID     `json:"trigger"`
			Failure *outcomeFailure `json:"failure,omitempty"`
		}{o.Trigger(), failureView(f)}
	}
}
