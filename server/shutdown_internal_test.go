package server

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"

	"github.com/hookengine/hookengine/mgmtapi"
	"github.com/hookengine/hookengine/store"
)

// endless is a hook that never calls back and never stops by itself: an
// interval keeps its run going until the wall-time limit.
const endless = `module.exports = function (user, context, cb) { console.log('hook started'); setInterval(function () {}, 5); };`

// shutdownFixture is a serving Server with the endless hook enabled, and a
// request running it.
type shutdownFixture struct {
	srv    *Server
	cancel context.CancelFunc
	done   chan error          // Serve's result
	answer chan *http.Response // the request in flight; nil if it got none
	body   chan string
}

// startEndless serves with the given shutdown timeout (hooks may run a
// minute), starts a run of the endless hook, and returns once it runs.
// prepare may change the Server before it serves.
func startEndless(t *testing.T, shutdown time.Duration, prepare func(*Server)) *shutdownFixture {
	t.Helper()
	t.Setenv(EnvToken, "shutdown-test-token")
	t.Setenv(EnvSecretsKey, store.EncodeKey(store.GenerateKey()))
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	core, logs := observer.New(zapcore.InfoLevel)
	srv, err := New(ctx, Config{DataDir: t.TempDir(), Addr: "127.0.0.1:0", ShutdownTimeout: Duration(shutdown),
		HookWallTime: Duration(time.Minute)}, zap.New(core), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if prepare != nil {
		prepare(srv)
	}
	ln, err := srv.Listen()
	if err != nil {
		srv.Close()
		t.Fatal(err)
	}
	f := &shutdownFixture{srv: srv, cancel: cancel, done: make(chan error, 1), answer: make(chan *http.Response, 1), body: make(chan string, 1)}
	go func() { f.done <- srv.Serve(ctx, ln) }()
	base := "http://" + ln.Addr().String()
	c, _ := mgmtapi.NewClient(base, "shutdown-test-token", nil)
	enabled := true
	if _, err := c.CreateHook(ctx, mgmtapi.CreateHookRequest{Name: "endless", Script: endless, TriggerID: "pre-user-registration", Enabled: &enabled}); err != nil {
		t.Fatal(err)
	}
	go func() {
		req, _ := http.NewRequest("POST", base+"/hookengine/v1/triggers/pre-user-registration/run",
			strings.NewReader(`{"user":{},"context":{"connection":{}}}`))
		req.Header.Set("Authorization", "Bearer shutdown-test-token")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			f.answer <- nil
			f.body <- err.Error()
			return
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		f.answer <- resp
		f.body <- string(b)
	}()
	deadline := time.Now().Add(10 * time.Second)
	for logs.FilterMessage("hook started").Len() == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the hook did not start")
		}
		time.Sleep(time.Millisecond)
	}
	t.Cleanup(http.DefaultClient.CloseIdleConnections)
	return f
}

// TestShutdownEndlessRun: a run that would go on for a minute does not hold
// the server up past its shutdown timeout; its request is answered (the
// engine ended the run at the timeout) and Serve returns within the
// timeout plus ShutdownGrace.
func TestShutdownEndlessRun(t *testing.T) {
	const timeout = 300 * time.Millisecond
	f := startEndless(t, timeout, nil)
	start := time.Now()
	f.cancel()
	err := <-f.done
	took := time.Since(start)
	resp, body := <-f.answer, <-f.body
	if resp == nil {
		t.Fatalf("the request in flight got no answer: %s", body)
	}
	// At the timeout the engine closes and the request's context ends at
	// once: the run ends with either; 504 if the engine were slow to return
	// it.
	if !endedAtShutdown(resp.StatusCode, body) {
		t.Errorf("the request in flight: %d %s, want the run ended at the timeout", resp.StatusCode, body)
	}
	if errors.Is(err, ErrShutdownIncomplete) {
		t.Errorf("Serve: %v, want the engine to have ended its runs", err)
	}
	// Generous for a loaded machine, and far below the hook's minute.
	if took < timeout || took > timeout+ShutdownGrace+time.Second {
		t.Errorf("Serve returned %v after the cancel, want between %v and %v", took, timeout, timeout+ShutdownGrace+time.Second)
	}
}

// TestShutdownStuckEngine: an engine whose shutdown never returns (as with
// a runtime stuck in a native call) does not keep Serve from returning:
// the request in flight is answered, and Serve returns by the timeout plus
// ShutdownGrace with ErrShutdownIncomplete.
func TestShutdownStuckEngine(t *testing.T) {
	const timeout = 300 * time.Millisecond
	release := make(chan struct{})
	var engine func(context.Context) error
	f := startEndless(t, timeout, func(s *Server) {
		engine = s.engineShutdown
		s.engineShutdown = func(context.Context) error {
			<-release // ignores its context
			return nil
		}
	})
	defer func() {
		close(release)
		_ = engine(context.Background()) // what was left running, for the leak check
	}()
	start := time.Now()
	f.cancel()
	err := <-f.done
	took := time.Since(start)
	if !errors.Is(err, ErrShutdownIncomplete) || !strings.Contains(err.Error(), "engine did not return") {
		t.Errorf("Serve: %v, want ErrShutdownIncomplete naming the runs", err)
	}
	if took < timeout || took > timeout+ShutdownGrace+time.Second {
		t.Errorf("Serve returned %v after the cancel, want between %v and %v", took, timeout, timeout+ShutdownGrace+time.Second)
	}
	resp, body := <-f.answer, <-f.body
	if resp == nil {
		t.Fatalf("the request in flight got no answer: %s", body)
	}
	// Its context ended at the timeout; the engine, still open here,
	// stopped the run for it (or the handler gave up on it).
	if !endedAtShutdown(resp.StatusCode, body) || strings.Contains(body, "engine_closed") {
		t.Errorf("the request in flight: %d %s, want the cancelled run", resp.StatusCode, body)
	}
}

// endedAtShutdown reports whether an answer is one a run request gets when
// shutdown ends its run: the run's error envelope (the engine closed, or
// the request's context ended), or 504 when the engine did not return it
// in time.
func endedAtShutdown(status int, body string) bool {
	switch status {
	case http.StatusOK:
		return strings.Contains(body, `"status":"error"`) &&
			(strings.Contains(body, `"code":"engine_closed"`) || strings.Contains(body, `"code":"cancelled"`))
	case http.StatusGatewayTimeout:
		return strings.Contains(body, "hookengine_run_timeout")
	}
	return false
}
