package runner_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hookengine/hookengine/engine"
	"github.com/hookengine/hookengine/enginetest"
	"github.com/hookengine/hookengine/runner"
	"github.com/hookengine/hookengine/sandbox"
	"github.com/hookengine/hookengine/store"
	"github.com/hookengine/hookengine/triggers"
)

const ccInput = `{"client":{"id":"c1","name":"Reporting","tenant":"acme","metadata":{}},"scope":["read:users"],"audience":"https://api.example/","context":{}}`

// claimScript answers one claim holding what, and the secret NAME if any.
func claimScript(what string) string {
	return `module.exports = function (client, scope, audience, context, cb) {
  cb(null, { 'https://example.com/v': '` + what + `', 'https://example.com/secret': context.webtask.secrets.NAME || null });
};`
}

func claims(t *testing.T, res *engine.Result, err error) map[string]any {
	t.Helper()
	if err != nil {
		t.Fatalf("run: %v", err)
	}
	var m map[string]any
	if err := json.Unmarshal(res.Envelope.Data, &m); err != nil {
		t.Fatalf("envelope %s: %v", res.Envelope.Data, err)
	}
	return m
}

func openSQLite(t *testing.T, path string) *store.SQLite {
	t.Helper()
	c, _ := store.NewCipher(bytes.Repeat([]byte{1}, store.KeySize))
	s, err := store.OpenSQLite(context.Background(), path, store.SQLiteOptions{Cipher: c})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestRunTrigger(t *testing.T) {
	ctx := context.Background()
	st := store.NewMemory()
	e := enginetest.New(t)
	r := runner.New(st, e)

	if res, err := r.RunTrigger(ctx, triggers.CredentialsExchange, ccInput); !errors.Is(err, runner.ErrNoHookEnabled) || res != nil {
		t.Errorf("no hook: %v, %v; want ErrNoHookEnabled", res, err)
	}
	if _, err := r.RunTrigger(ctx, "password-exchange", ccInput); !errors.Is(err, engine.ErrUnknownTrigger) {
		t.Errorf("unknown trigger: %v, want ErrUnknownTrigger", err)
	}
	h, err := st.CreateHook(ctx, &store.Hook{Name: "cc", TriggerID: triggers.CredentialsExchange, Script: claimScript("one")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.RunTrigger(ctx, triggers.CredentialsExchange, ccInput); !errors.Is(err, runner.ErrNoHookEnabled) {
		t.Errorf("disabled hook: %v, want ErrNoHookEnabled", err)
	}
	on := true
	if _, err := st.UpdateHook(ctx, h.ID, store.HookPatch{Enabled: &on}); err != nil {
		t.Fatal(err)
	}
	res, err := r.RunTrigger(ctx, triggers.CredentialsExchange, ccInput)
	if c := claims(t, res, err); c["https://example.com/v"] != "one" || c["https://example.com/secret"] != nil {
		t.Errorf("first run claims %v", c)
	}
	two := claimScript("two")
	if _, err := st.UpdateHook(ctx, h.ID, store.HookPatch{Script: &two}); err != nil {
		t.Fatal(err)
	}
	res, err = r.RunTrigger(ctx, triggers.CredentialsExchange, ccInput)
	if c := claims(t, res, err); c["https://example.com/v"] != "two" {
		t.Errorf("after patching the script: claims %v", c)
	}
	if err := st.AddSecrets(ctx, h.ID, map[string]string{"NAME": "s3cret"}); err != nil {
		t.Fatal(err)
	}
	res, err = r.RunTrigger(ctx, triggers.CredentialsExchange, ccInput)
	if c := claims(t, res, err); c["https://example.com/secret"] != "s3cret" {
		t.Errorf("after adding a secret: claims %v", c)
	}
	if err := st.UpdateSecrets(ctx, h.ID, map[string]string{"NAME": "rotated"}); err != nil {
		t.Fatal(err)
	}
	res, err = r.RunTrigger(ctx, triggers.CredentialsExchange, ccInput)
	if c := claims(t, res, err); c["https://example.com/secret"] != "rotated" {
		t.Errorf("after rotating the secret: claims %v", c)
	}
	if res.Envelope.Status != triggers.StatusSuccess {
		t.Errorf("status %s", res.Envelope.Status)
	}
}

// TestRunTriggerSeesOtherProcesses changes hooks through one SQLite store
// and runs them through another on the same file, as two processes would.
func TestRunTriggerSeesOtherProcesses(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "hooks.db")
	writer, reader := openSQLite(t, path), openSQLite(t, path)
	r := runner.New(reader, enginetest.New(t))

	a, err := writer.CreateHook(ctx, &store.Hook{Name: "a", TriggerID: triggers.CredentialsExchange, Script: claimScript("a1"), Enabled: true})
	if err != nil {
		t.Fatal(err)
	}
	res, err := r.RunTrigger(ctx, triggers.CredentialsExchange, ccInput)
	if c := claims(t, res, err); c["https://example.com/v"] != "a1" {
		t.Errorf("claims %v, want a1", c)
	}
	a2 := claimScript("a2")
	if _, err := writer.UpdateHook(ctx, a.ID, store.HookPatch{Script: &a2}); err != nil {
		t.Fatal(err)
	}
	res, err = r.RunTrigger(ctx, triggers.CredentialsExchange, ccInput)
	if c := claims(t, res, err); c["https://example.com/v"] != "a2" {
		t.Errorf("after the other process patched: claims %v, want a2", c)
	}
	// Enabling another hook of the trigger switches the runs to it.
	if _, err := writer.CreateHook(ctx, &store.Hook{Name: "b", TriggerID: triggers.CredentialsExchange, Script: claimScript("b1"), Enabled: true}); err != nil {
		t.Fatal(err)
	}
	res, err = r.RunTrigger(ctx, triggers.CredentialsExchange, ccInput)
	if c := claims(t, res, err); c["https://example.com/v"] != "b1" {
		t.Errorf("after enabling b: claims %v, want b1", c)
	}
	if err := writer.DeleteHook(ctx, "bogus"); err == nil {
		t.Error("deleting a bogus id succeeded")
	}
}

func TestRunHook(t *testing.T) {
	ctx := context.Background()
	st := store.NewMemory()
	r := runner.New(st, enginetest.New(t))
	h, err := st.CreateHook(ctx, &store.Hook{Name: "disabled", TriggerID: triggers.CredentialsExchange, Script: claimScript("x"),
		Secrets: map[string]string{"NAME": "n"}})
	if err != nil {
		t.Fatal(err)
	}
	res, err := r.RunHook(ctx, h.ID, ccInput)
	if c := claims(t, res, err); c["https://example.com/v"] != "x" || c["https://example.com/secret"] != "n" {
		t.Errorf("claims %v", c)
	}
	if res.Trigger != triggers.CredentialsExchange {
		t.Errorf("result trigger %s", res.Trigger)
	}
	if _, err := r.RunHook(ctx, "01GBPZWEFDT9RFR6PN6939RZZE", ccInput); !errors.Is(err, runner.ErrHookNotFound) {
		t.Errorf("missing hook: %v, want ErrHookNotFound", err)
	}
	// Input the trigger rejects ends the run with the engine's error.
	res, err = r.RunHook(ctx, h.ID, `{"client":"nope"}`)
	if !errors.Is(err, engine.ErrInvalidInput) || res == nil || res.Envelope.Succeeded() {
		t.Errorf("invalid input: %v, %v", res, err)
	}
}

// TestRunHookDependencies checks that a stored hook's dependencies reach
// the engine, which refuses to run a hook whose dependencies it cannot
// satisfy (this engine has no node_modules).
func TestRunHookDependencies(t *testing.T) {
	ctx := context.Background()
	st := store.NewMemory()
	r := runner.New(st, enginetest.New(t))
	tests := []struct {
		name string
		deps map[string]string
		ok   bool
	}{
		{"none", nil, true},
		{"a package the engine lacks", map[string]string{"left-pad": "1.3.0"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, err := st.CreateHook(ctx, &store.Hook{Name: "deps " + tt.name, TriggerID: triggers.CredentialsExchange, Script: claimScript("x"),
				Dependencies: tt.deps})
			if err != nil {
				t.Fatal(err)
			}
			res, err := r.RunHook(ctx, h.ID, ccInput)
			var de *sandbox.DependencyError
			if tt.ok {
				claims(t, res, err)
			} else if !errors.As(err, &de) || de.Name != "left-pad" || de.Problem != sandbox.DependencyMissing || res == nil || res.Envelope.Succeeded() {
				t.Errorf("run: %v, %v; want a DependencyError for left-pad", res, err)
			}
		})
	}
}

func TestRunTriggerAsync(t *testing.T) {
	ctx := context.Background()
	st := store.NewMemory()
	e, logs := enginetest.NewObserved(t)
	r := runner.New(st, e)
	input := enginetest.ReadFile(t, "../testdata/inputs/post-user-registration.json")
	if err := r.RunTriggerAsync(ctx, triggers.PostUserRegistration, input); !errors.Is(err, runner.ErrNoHookEnabled) {
		t.Errorf("no hook: %v, want ErrNoHookEnabled", err)
	}
	if _, err := st.CreateHook(ctx, &store.Hook{Name: "post", TriggerID: triggers.PostUserRegistration, Enabled: true,
		Script: `module.exports = function (user, context, cb) { console.log('welcome', user.email); cb(); };`}); err != nil {
		t.Fatal(err)
	}
	if err := r.RunTriggerAsync(ctx, triggers.PostUserRegistration, input); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for logs.FilterMessageSnippet("welcome").Len() == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the background run did not log")
		}
		time.Sleep(5 * time.Millisecond)
	}
	if msg := logs.FilterMessageSnippet("welcome").All()[0].Message; !strings.Contains(msg, "@") {
		t.Errorf("logged %q", msg)
	}
}

// TestRunTriggerForms: the enabled hook of a trigger runs whatever form its
// script is in, and a script replaced by one of another form runs in that
// form at once.
func TestRunTriggerForms(t *testing.T) {
	ctx := context.Background()
	st := store.NewMemory()
	r := runner.New(st, enginetest.New(t))
	scripts := []struct {
		form   triggers.Form
		script string
	}{
		{triggers.FormHook, claimScript("hook")},
		{triggers.FormAction, `exports.onExecuteCredentialsExchange = async (event, api) => {
  api.accessToken.setCustomClaim('https://example.com/v', 'action');
};`},
		{triggers.FormRule, `function (client, scope, audience, context, cb) {
  cb(null, { 'https://example.com/v': 'rule' });
}`},
	}
	h, err := st.CreateHook(ctx, &store.Hook{Name: "cc", TriggerID: triggers.CredentialsExchange, Script: scripts[0].script, Enabled: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range scripts {
		if _, err := st.UpdateHook(ctx, h.ID, store.HookPatch{Script: &s.script}); err != nil {
			t.Fatal(err)
		}
		res, err := r.RunTrigger(ctx, triggers.CredentialsExchange, ccInput)
		if c := claims(t, res, err); c["https://example.com/v"] != string(s.form) || res.Form != s.form {
			t.Errorf("%s: form %q, claims %v", s.form, res.Form, c)
		}
	}
}

// TestHookLimits gives two looping hooks, one by name and one by id, short
// limits over an engine whose own limits are a minute: both end at a limit.
func TestHookLimits(t *testing.T) {
	ctx := context.Background()
	st := store.NewMemory()
	e := enginetest.New(t, engine.WithLimits(engine.Limits{WallTime: time.Minute, CPUTime: time.Minute}))
	script, err := os.ReadFile("../testdata/hooks/limits/infinite-loop.js")
	if err != nil {
		t.Fatal(err)
	}
	byName, _ := st.CreateHook(ctx, &store.Hook{Name: "Loop Hook 1", TriggerID: triggers.PreUserRegistration, Script: string(script)})
	byID, _ := st.CreateHook(ctx, &store.Hook{Name: "Loop Hook 2", TriggerID: triggers.PreUserRegistration, Script: string(script)})
	short := engine.Limits{WallTime: 300 * time.Millisecond, CPUTime: 100 * time.Millisecond}
	r := runner.New(st, e, runner.WithHookLimits(map[string]engine.Limits{"Loop Hook 1": short, byID.ID: short}))
	input := `{"user":{"email":"a@example.com"},"context":{"connection":{"id":"con_1","name":"db","tenant":"t"}}}`
	for _, h := range []*store.Hook{byName, byID} {
		_, err := r.RunHook(ctx, h.ID, input)
		if !errors.Is(err, engine.ErrCPUTimeExceeded) && !errors.Is(err, engine.ErrWallTimeExceeded) {
			t.Errorf("%s: %v, want a limit error", h.Name, err)
		}
	}
}
