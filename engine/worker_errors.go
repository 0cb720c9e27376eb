package engine

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/hookengine/hookengine/internal/workerproto"
	"github.com/hookengine/hookengine/sandbox"
	"github.com/hookengine/hookengine/sandbox/fetch"
)

// Run errors cross the pipe between a worker and its parent as a
// workerproto.Error: a code naming the sentinel or type, and the type's
// fields, so that errors.Is and errors.As answer the same on both sides.

// runSentinels are the errors a run ends with that carry nothing but their
// identity, by wire code.
var runSentinels = map[string]error{
	"closed":            ErrClosed,
	"unknown_trigger":   ErrUnknownTrigger,
	"no_hook_function":  ErrNoHookFunction,
	"no_callback":       ErrNoCallback,
	"canceled":          context.Canceled,
	"deadline_exceeded": context.DeadlineExceeded,
	"worker_lost":       ErrWorkerLost,
}

// limitSentinels are the limits, by wire code.
var limitSentinels = map[string]error{
	"wall_time":   ErrWallTimeExceeded,
	"cpu_time":    ErrCPUTimeExceeded,
	"stack_depth": ErrStackDepthExceeded,
	"memory":      ErrMemoryExceeded,
}

// encodeRunError describes what ended a run (the Err of its *RunError).
func encodeRunError(err error) *workerproto.Error {
	if err == nil {
		return nil
	}
	var re *RunError
	if errors.As(err, &re) {
		err = re.Err
	}
	var (
		le *sandbox.LimitError
		ce *CompileError
		se *ScriptError
		ie *InputError
		he *HandlerError
	)
	switch {
	case errors.As(err, &he):
		return &workerproto.Error{Code: "handler", Message: he.Message}
	case errors.As(err, &ce):
		return &workerproto.Error{Code: "compile", Message: ce.Message, Line: ce.Line, Column: ce.Column}
	case errors.As(err, &se):
		return &workerproto.Error{Code: "script", Message: se.Message, Stack: se.Stack}
	case errors.As(err, &ie):
		return &workerproto.Error{Code: "input", Message: ie.Message}
	case errors.As(err, &le):
		for code, s := range limitSentinels {
			if errors.Is(le, s) {
				return &workerproto.Error{Code: code, Limit: le.Limit}
			}
		}
	case errors.Is(err, ErrInternal):
		return &workerproto.Error{Code: "internal", Message: strings.TrimPrefix(err.Error(), ErrInternal.Error()+": ")}
	}
	for code, s := range runSentinels {
		if errors.Is(err, s) {
			return &workerproto.Error{Code: code}
		}
	}
	for code, s := range limitSentinels {
		if errors.Is(err, s) {
			return &workerproto.Error{Code: code}
		}
	}
	return &workerproto.Error{Code: "internal", Message: err.Error()}
}

// decodeRunError is the inverse of encodeRunError. Codes it does not know
// (a worker is not trusted to send only known ones) are internal errors.
func decodeRunError(e *workerproto.Error) error {
	if e == nil {
		return nil
	}
	if s, ok := runSentinels[e.Code]; ok {
		return s
	}
	if s, ok := limitSentinels[e.Code]; ok {
		return &sandbox.LimitError{Err: s, Limit: e.Limit}
	}
	switch e.Code {
	case "compile":
		return &CompileError{Message: e.Message, Line: e.Line, Column: e.Column}
	case "script":
		return &ScriptError{Message: e.Message, Stack: e.Stack}
	case "input":
		return &InputError{Message: e.Message}
	case "handler":
		return &HandlerError{Message: e.Message}
	}
	return fmt.Errorf("%w: %s", ErrInternal, e.Message)
}

// fetchSentinels are the request errors that carry only their identity.
var fetchSentinels = map[string]error{
	"too_many_redirects": fetch.ErrTooManyRedirects,
	"downgrade":          fetch.ErrDowngrade,
	"unsupported_scheme": fetch.ErrUnsupportedScheme,
	"body_too_large":     fetch.ErrBodyTooLarge,
	"blocked_sentinel":   fetch.ErrBlocked,
	"rate_limited":       fetch.ErrRateLimited,
	"canceled":           context.Canceled,
	"deadline_exceeded":  context.DeadlineExceeded,
}

// encodeFetchError describes an error of fetch.Client.Do.
func encodeFetchError(err error) *workerproto.Error {
	var (
		be *fetch.BlockedError
		rl *fetch.RateLimitError
		se *fetch.SystemError
	)
	switch {
	case errors.As(err, &se):
		return &workerproto.Error{Code: "system", Reason: se.Code, Message: se.Syscall, Origin: se.Hostname,
			Addr: se.Address, Status: se.Port, Limit: se.Reason}
	case errors.As(err, &be):
		return &workerproto.Error{Code: "blocked", Addr: be.Addr, Reason: be.Reason}
	case errors.As(err, &rl):
		return &workerproto.Error{Code: "rate_limit", Origin: rl.Origin, Wait: rl.Wait, Retries: rl.Retries, Status: rl.Status, Reason: rl.Reason}
	}
	for code, s := range fetchSentinels {
		if errors.Is(err, s) {
			return &workerproto.Error{Code: code}
		}
	}
	return &workerproto.Error{Code: "network", Message: err.Error()}
}

// decodeFetchError is the inverse of encodeFetchError.
func decodeFetchError(e *workerproto.Error) error {
	if s, ok := fetchSentinels[e.Code]; ok {
		return s
	}
	switch e.Code {
	case "blocked":
		return &fetch.BlockedError{Addr: e.Addr, Reason: e.Reason}
	case "rate_limit":
		return &fetch.RateLimitError{Origin: e.Origin, Wait: e.Wait, Retries: e.Retries, Status: e.Status, Reason: e.Reason}
	case "system":
		return &fetch.SystemError{Code: e.Reason, Syscall: e.Message, Hostname: e.Origin, Address: e.Addr, Port: e.Status, Reason: e.Limit}
	}
	return errors.New(e.Message)
}
