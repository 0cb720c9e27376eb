package engine

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/hookengine/hookengine/internal/workerproto"
	"github.com/hookengine/hookengine/sandbox"
	"github.com/hookengine/hookengine/sandbox/fetch"
)

// TestRunErrorsCrossThePipe: what ends a run keeps its errors.Is and
// errors.As identity, and its text, from a worker to its parent.
func TestRunErrorsCrossThePipe(t *testing.T) {
	tests := []struct {
		err  error
		is   error
		text string
	}{
		{&sandbox.LimitError{Err: ErrWallTimeExceeded, Limit: "1s"}, ErrWallTimeExceeded, ""},
		{&sandbox.LimitError{Err: ErrCPUTimeExceeded, Limit: "2s"}, ErrCPUTimeExceeded, ""},
		{&sandbox.LimitError{Err: ErrMemoryExceeded, Limit: "64 MiB"}, ErrMemoryExceeded, ""},
		{&sandbox.LimitError{Err: ErrStackDepthExceeded, Limit: "4096"}, ErrStackDepthExceeded, ""},
		{&CompileError{Message: "Unexpected token", Line: 3, Column: 7}, ErrCompile, ""},
		{&ScriptError{Message: "bad", Stack: "at hook.js:1"}, ErrThrown, ""},
		{&InputError{Message: "Body.user received by extensibility point is not an object"}, ErrInvalidInput, ""},
		{ErrNoCallback, ErrNoCallback, ""},
		{ErrNoHookFunction, ErrNoHookFunction, ""},
		{&HandlerError{Message: "The Action must export onExecutePostChangePassword as a function"}, ErrNoHookFunction, ""},
		{ErrClosed, ErrClosed, ""},
		{context.Canceled, context.Canceled, ""},
		{context.DeadlineExceeded, context.DeadlineExceeded, ""},
		{fmt.Errorf("%w: boom", ErrInternal), ErrInternal, ""},
		{&RunError{Err: ErrNoCallback}, ErrNoCallback, ErrNoCallback.Error()},
	}
	for _, tt := range tests {
		got := decodeRunError(encodeRunError(tt.err))
		if !errors.Is(got, tt.is) {
			t.Errorf("%v came back as %v", tt.err, got)
		}
		want := tt.text
		if want == "" {
			want = tt.err.Error()
		}
		if got.Error() != want {
			t.Errorf("%v came back reading %q", tt.err, got.Error())
		}
	}
	var le *sandbox.LimitError
	if got := decodeRunError(encodeRunError(&sandbox.LimitError{Err: ErrMemoryExceeded, Limit: "8 MiB"})); !errors.As(got, &le) || le.Limit != "8 MiB" {
		t.Errorf("the limit did not cross: %v", got)
	}
	if got := decodeRunError(&workerproto.Error{Code: "nonsense"}); !errors.Is(got, ErrInternal) {
		t.Errorf("an unknown code: %v, want ErrInternal", got)
	}
}

// TestFetchErrorsCrossThePipe: the errors of the parent's fetch client
// keep their identity in the worker, where the script sees them.
func TestFetchErrorsCrossThePipe(t *testing.T) {
	rl := &fetch.RateLimitError{Origin: "https://api.example", Wait: 3 * time.Second, Retries: 2, Status: 429, Reason: "kept answering 429"}
	be := &fetch.BlockedError{Addr: "169.254.169.254:80", Reason: "link-local address"}
	tests := []struct {
		err error
		is  error // nil: the text only
	}{
		{rl, fetch.ErrRateLimited},
		{be, fetch.ErrBlocked},
		{fetch.ErrBodyTooLarge, fetch.ErrBodyTooLarge},
		{fetch.ErrTooManyRedirects, fetch.ErrTooManyRedirects},
		{fetch.ErrDowngrade, fetch.ErrDowngrade},
		{fetch.ErrUnsupportedScheme, fetch.ErrUnsupportedScheme},
		{context.Canceled, context.Canceled},
		{context.DeadlineExceeded, context.DeadlineExceeded},
		{errors.New("dial tcp: connection refused"), nil},
		{&fetch.SystemError{Code: "ENOTFOUND", Syscall: "getaddrinfo", Hostname: "api.example"}, fetch.ErrNetwork},
		{&fetch.SystemError{Code: "ECONNREFUSED", Syscall: "connect", Address: "203.0.113.7", Port: 443}, fetch.ErrNetwork},
		{&fetch.SystemError{Code: "ECONNRESET", Reason: "socket hang up"}, fetch.ErrNetwork},
	}
	for _, tt := range tests {
		got := decodeFetchError(encodeFetchError(tt.err))
		if got.Error() != tt.err.Error() || tt.is != nil && !errors.Is(got, tt.is) {
			t.Errorf("%v came back as %v", tt.err, got)
		}
	}
	var gotRL *fetch.RateLimitError
	if !errors.As(decodeFetchError(encodeFetchError(rl)), &gotRL) || *gotRL != *rl {
		t.Errorf("RateLimitError came back as %+v", gotRL)
	}
	se := &fetch.SystemError{Code: "ECONNREFUSED", Syscall: "connect", Address: "203.0.113.7", Port: 443}
	var gotSE *fetch.SystemError
	if !errors.As(decodeFetchError(encodeFetchError(se)), &gotSE) || *gotSE != *se {
		t.Errorf("SystemError came back as %+v", gotSE)
	}
	var gotBE *fetch.BlockedError
	if err := decodeFetchError(encodeFetchError(be)); !errors.As(err, &gotBE) || !errors.Is(err, fetch.ErrBlocked) || *gotBE != *be {
		t.Errorf("BlockedError came back as %v", err)
	}
}
