package engine_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dop251/goja"
	"go.uber.org/zap/zapcore"

	"github.com/hookengine/hookengine/engine"
	"github.com/hookengine/hookengine/enginetest"
	"github.com/hookengine/hookengine/sandbox"
	"github.com/hookengine/hookengine/triggers"
)

func TestConsoleCapture(t *testing.T) {
	e, logs := enginetest.NewObserved(t, engine.WithLogCapture(3, 1<<10))
	h := engine.Hook{ID: "01GBPZWEFDT9RFR6PN6939RZZE", Name: "chatty", Trigger: triggers.PreUserRegistration, Script: `
module.exports = function (user, context, cb) {
  console.log('log %s', user.username);
  console.warn('warn', { n: 1 });
  console.error(new Error('err').message);
  console.info('dropped 1');
  console.debug('dropped 2');
  cb();
};`}
	res, err := e.Run(context.Background(), h, input(t, triggers.PreUserRegistration))
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		level sandbox.Level
		msg   string
	}{{sandbox.LevelInfo, "log ada"}, {sandbox.LevelWarn, "warn { n: 1 }"}, {sandbox.LevelError, "err"}}
	if len(res.Logs) != len(want) {
		t.Fatalf("logs = %v", res.Logs)
	}
	for i, w := range want {
		if res.Logs[i].Level != w.level || res.Logs[i].Message != w.msg {
			t.Errorf("log %d = %+v, want %v %q", i, res.Logs[i], w.level, w.msg)
		}
	}
	if res.LogsDropped != 2 {
		t.Errorf("LogsDropped = %d, want 2", res.LogsDropped)
	}
	line := logs.FilterMessage("warn { n: 1 }").All()
	if len(line) != 1 || line[0].Level != zapcore.WarnLevel {
		t.Fatalf("zap lines = %v", logs.All())
	}
	fields := line[0].ContextMap()
	for k, v := range map[string]string{"hook_id": h.ID, "hook_name": "chatty", "trigger": "pre-user-registration", "execution_id": res.ExecutionID, "source": "console"} {
		if fields[k] != v {
			t.Errorf("zap field %s = %v, want %q", k, fields[k], v)
		}
	}
	if logs.FilterMessage("console output limit reached; further lines are dropped").Len() != 1 {
		t.Error("reaching the limit was not logged once")
	}
}

func TestConsoleCaptureBytes(t *testing.T) {
	res, err := enginetest.Run(t, triggers.PreUserRegistration,
		`module.exports = (u, c, cb) => { console.log('x'.repeat(700)); console.log('y'.repeat(700)); console.log('z'); cb(); }`,
		input(t, triggers.PreUserRegistration), engine.WithLogCapture(100, 1000))
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Logs) != 2 || len(res.Logs[0].Message) != 700 || len(res.Logs[1].Message) != 300 || res.LogsDropped != 1 {
		t.Errorf("got %d lines (%d dropped), want 700 and 300 bytes then one dropped", len(res.Logs), res.LogsDropped)
	}
}

func TestSecretsNeverLogged(t *testing.T) {
	e, logs := enginetest.NewObserved(t)
	h := engine.Hook{Trigger: triggers.PreUserRegistration, Script: script(t, "pre-user-registration/secrets.js"),
		Secrets: map[string]string{"API_KEY": "sk_live_0123456789", "TINY": "ab"}}
	res, err := e.Run(context.Background(), h, input(t, triggers.PreUserRegistration))
	if err != nil {
		t.Fatal(err)
	}
	if !jsonEqual(t, res.Envelope.Data, `{"user":{"app_metadata":{"key_length":18,"key_prefix":"sk"}}}`) {
		t.Errorf("the script did not get its secret: %s", res.Envelope.Data)
	}
	if len(res.Logs) != 1 || res.Logs[0].Message != "using key [REDACTED]" {
		t.Errorf("result logs = %v", res.Logs)
	}
	// A failing run logs its envelope: the secret must not be in it either.
	leak := engine.Hook{Trigger: triggers.PreUserRegistration, Secrets: h.Secrets,
		Script: `module.exports = (u, c, cb) => cb(new Error('key ' + c.webtask.secrets.API_KEY))`}
	if err := e.RunAsync(context.Background(), leak, input(t, triggers.PreUserRegistration)); err != nil {
		t.Fatal(err)
	}
	if err := e.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	for _, entry := range logs.All() {
		text := entry.Message
		for k, v := range entry.ContextMap() {
			text += " " + k + "=" + toString(v)
		}
		if strings.Contains(text, "sk_live_0123456789") {
			t.Errorf("secret in log line: %s", text)
		}
	}
	if logs.FilterMessage("hook run finished").FilterField(zapString("status", "error")).Len() != 1 {
		t.Errorf("the failing async run was not logged: %v", logs.All())
	}
}

func TestBackgroundWorkAfterCallback(t *testing.T) {
	// The background work waits for the test, which lets it go only once
	// Run has returned: a Run that waited for it would only return at the
	// wall-time limit, with the work not done. No duration is compared,
	// so a loaded machine cannot fail the test.
	release := make(chan struct{})
	gate := func(vm *goja.Runtime, module *goja.Object) {
		_ = module.Get("exports").(*goja.Object).Set("wait", func() { <-release })
	}
	e, logs := enginetest.NewObserved(t, engine.WithModule("gate", gate))
	h := engine.Hook{Trigger: triggers.PostUserRegistration, Script: script(t, "post-user-registration/notify-gated.js")}
	res, err := e.Run(context.Background(), h, input(t, triggers.PostUserRegistration))
	close(release)
	if err != nil || !res.Envelope.Succeeded() {
		t.Fatal(err)
	}
	if len(res.Logs) != 0 || res.Duration >= engine.DefaultWallTime {
		t.Errorf("Run took %v, result logs = %v: the result must not wait for the background work", res.Duration, res.Logs)
	}
	// Shutdown waits for the background work.
	if err := e.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := logs.FilterMessageSnippet("notified #signups about ada@example.com").Len(); n != 1 {
		t.Errorf("background console line logged %d times, want once", n)
	}
}

func TestBackgroundWorkStopsAtWallLimit(t *testing.T) {
	e, logs := enginetest.NewObserved(t, engine.WithLimits(engine.Limits{WallTime: 100 * time.Millisecond}))
	h := engine.Hook{Trigger: triggers.PostUserRegistration, Script: `module.exports = (u, c, cb) => { setInterval(() => {}, 5); cb(); }`}
	res, err := e.Run(context.Background(), h, input(t, triggers.PostUserRegistration))
	if err != nil || !res.Envelope.Succeeded() {
		t.Fatal(err)
	}
	start := time.Now()
	if err := e.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	if took := time.Since(start); took > 100*time.Millisecond+slack*raceScale {
		t.Errorf("background work ran %v past the result", took)
	}
	if logs.FilterMessage("work the hook left running after calling back was stopped").Len() != 1 {
		t.Errorf("stopping the background work was not logged: %v", logs.All())
	}
}

func TestRunAsync(t *testing.T) {
	e, logs := enginetest.NewObserved(t)
	ctx, cancel := context.WithCancel(context.Background())
	if err := e.RunAsync(ctx, engine.Hook{Trigger: triggers.PostChangePassword, Script: script(t, "post-change-password/audit.js")},
		input(t, triggers.PostChangePassword)); err != nil {
		t.Fatal(err)
	}
	cancel() // the caller's request ends; the hook goes on
	if err := e.RunAsync(ctx, engine.Hook{Trigger: triggers.PostUserRegistration, Script: script(t, "post-user-registration/fail.js")},
		input(t, triggers.PostUserRegistration)); err != nil {
		t.Fatal(err)
	}
	if err := e.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	if logs.FilterMessageSnippet("password changed ada@example.com").Len() != 1 {
		t.Errorf("async hook did not run: %v", logs.All())
	}
	failed := logs.FilterMessage("hook run finished").FilterField(zapString("status", "error")).All()
	if len(failed) != 1 || failed[0].Level != zapcore.ErrorLevel {
		t.Errorf("failure of the async hook not logged at error level: %v", failed)
	}
	if err := e.RunAsync(context.Background(), engine.Hook{Trigger: triggers.PostChangePassword, Script: ran}, "{}"); !errors.Is(err, engine.ErrClosed) {
		t.Errorf("RunAsync after Shutdown = %v, want ErrClosed", err)
	}
	if err := enginetest.New(t).RunAsync(context.Background(), engine.Hook{Trigger: "nope"}, nil); !errors.Is(err, engine.ErrUnknownTrigger) {
		t.Errorf("RunAsync with an unknown trigger = %v", err)
	}
}

func TestCloseInterruptsRuns(t *testing.T) {
	e, err := engine.New()
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := e.Run(context.Background(), engine.Hook{Trigger: triggers.PreUserRegistration, Script: script(t, "limits/interval-forever.js")},
				input(t, triggers.PreUserRegistration))
			errs <- err
		}()
	}
	for e.Stats().Runs < 4 {
		time.Sleep(time.Millisecond)
	}
	start := time.Now()
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	if took := time.Since(start); took > slack*raceScale {
		t.Errorf("Close took %v", took)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if !errors.Is(err, engine.ErrClosed) {
			t.Errorf("interrupted run: err = %v, want ErrClosed", err)
		}
	}
	if _, err := e.Run(context.Background(), engine.Hook{Trigger: triggers.PreUserRegistration, Script: ran}, "{}"); !errors.Is(err, engine.ErrClosed) {
		t.Errorf("Run after Close = %v, want ErrClosed", err)
	}
	if err := e.Close(); err != nil {
		t.Errorf("second Close = %v", err)
	}
}

func TestShutdownDeadline(t *testing.T) {
	e, err := engine.New()
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := e.Run(context.Background(), engine.Hook{Trigger: triggers.PreUserRegistration, Script: script(t, "limits/interval-forever.js")},
			input(t, triggers.PreUserRegistration))
		done <- err
	}()
	for e.Stats().Runs < 1 {
		time.Sleep(time.Millisecond)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if err := e.Shutdown(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Shutdown = %v, want DeadlineExceeded", err)
	}
	if err := <-done; !errors.Is(err, engine.ErrClosed) {
		t.Errorf("run = %v, want ErrClosed", err)
	}
}

func TestUnhandledRejectionLogged(t *testing.T) {
	res, err := enginetest.Run(t, triggers.PreUserRegistration,
		`module.exports = (u, c, cb) => { Promise.reject(new Error('nobody listens')); cb(); }`, input(t, triggers.PreUserRegistration))
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Logs) != 1 || res.Logs[0].Level != sandbox.LevelError || !strings.HasPrefix(res.Logs[0].Message, "unhandled promise rejection: Error: nobody listens") {
		t.Errorf("logs = %v", res.Logs)
	}
}

func TestInputForms(t *testing.T) {
	const echo = `module.exports = (u, c, cb) => cb(null, {email: u.email, conn: c.connection.name})`
	in := triggers.PreUserRegistrationInput{User: triggers.RegistrationUser{Email: "a@b.c"}, Context: triggers.RegistrationContext{Connection: triggers.Connection{Name: "db"}}}
	raw := `{"user":{"email":"a@b.c"},"context":{"connection":{"name":"db"}}}`
	e := enginetest.New(t)
	for _, tc := range []struct {
		desc  string
		input any
	}{
		{"struct", in},
		{"pointer", &in},
		{"map", map[string]any{"user": map[string]any{"email": "a@b.c"}, "context": map[string]any{"connection": map[string]any{"name": "db"}}}},
		{"string", raw},
		{"bytes", []byte(raw)},
		{"raw message", jsonRaw(raw)},
	} {
		res, err := e.Run(context.Background(), engine.Hook{Trigger: triggers.PreUserRegistration, Script: echo}, tc.input)
		if err != nil || !jsonEqual(t, res.Envelope.Data, `{"email":"a@b.c","conn":"db"}`) {
			t.Errorf("%s: %v %s", tc.desc, err, res.Envelope.Data)
		}
	}
	_, err := e.Run(context.Background(), engine.Hook{Trigger: triggers.PreUserRegistration, Script: echo}, make(chan int))
	if !errors.Is(err, engine.ErrInvalidInput) {
		t.Errorf("unencodable input: %v", err)
	}
	if _, err := e.Run(context.Background(), engine.Hook{Trigger: "nope", Script: echo}, raw); !errors.Is(err, engine.ErrUnknownTrigger) {
		t.Errorf("unknown trigger: %v", err)
	}
}

func TestConcurrentRuns(t *testing.T) {
	e := enginetest.New(t)
	h := engine.Hook{Trigger: triggers.PreUserRegistration, Script: script(t, "pre-user-registration/metadata.js")}
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 25; i++ {
				email := "user" + string(rune('a'+g)) + string(rune('a'+i)) + "@example.org"
				in := `{"user":{"email":"` + email + `"},"context":{"connection":{"name":"db"},"renderLanguage":"` + email + `"}}`
				res, err := e.Run(context.Background(), h, in)
				if err != nil {
					t.Error(err)
					return
				}
				o := res.Outcome().(*triggers.PreUserRegistrationOutcome)
				if o.AppMetadata["plan"] != "free" || o.UserMetadata["language"] != email {
					t.Errorf("crossed or wrong result for %s: %+v", email, o)
				}
			}
		}(g)
	}
	wg.Wait()
	// Runtimes are reused: a run's runtime goes back to the pool just after
	// its answer, so a caller's next run may find it not back yet and make
	// another (19 of 200 once, under the race detector on a loaded machine),
	// but nowhere near one per run.
	if st := e.Stats(); st.Compiles != 1 || st.RuntimesCreated > 50 {
		t.Errorf("stats = %+v", st)
	}
}

// TestReturnedPromiseRejects: the promise an async hook returns is the
// hook's own: its rejection before the callback ends the run with the
// thrown error, and after a callback made once the hook had returned it is
// logged as the hook's, not as an unhandled rejection. (goja runs the
// microtasks before the hook's call returns: only a promise still pending
// then, waiting on a timer here, is the engine's to watch.)
func TestReturnedPromiseRejects(t *testing.T) {
	in := input(t, triggers.PreUserRegistration)
	res, err := enginetest.Run(t, triggers.PreUserRegistration,
		`module.exports = async (u, c, cb) => { await null; throw new Error('async boom'); }`, in)
	var se *engine.ScriptError
	if !errors.As(err, &se) || se.Message != "async boom" {
		t.Errorf("rejected before the callback: %v, want the ScriptError async boom", err)
	}
	res, err = enginetest.Run(t, triggers.PreUserRegistration,
		`module.exports = async (u, c, cb) => { await new Promise((r) => setTimeout(r, 0)); cb(); throw new Error('late'); }`, in)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Logs) != 1 || res.Logs[0].Level != sandbox.LevelError ||
		!strings.HasPrefix(res.Logs[0].Message, "the promise returned by the hook rejected after it called back") ||
		!strings.Contains(res.Logs[0].Message, "late") {
		t.Errorf("logs = %v", res.Logs)
	}
}
