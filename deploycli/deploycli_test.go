package deploycli_test

import (
	"context"
	"errors"
	"maps"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/hookengine/hookengine/deploycli"
	"github.com/hookengine/hookengine/engine"
	"github.com/hookengine/hookengine/mgmtapi"
	"github.com/hookengine/hookengine/runner"
	"github.com/hookengine/hookengine/store"
	"github.com/hookengine/hookengine/triggers"
)

const fixtures = "../testdata/deploycli"

var ctx = context.Background()

func directoryMappings(t *testing.T) deploycli.Mappings {
	t.Helper()
	m, err := deploycli.LoadMappings(filepath.Join(fixtures, "directory", "config.json"))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func byName(hooks []deploycli.Hook) map[string]deploycli.Hook {
	m := map[string]deploycli.Hook{}
	for _, h := range hooks {
		m[h.Name] = h
	}
	return m
}

func TestReadDirectory(t *testing.T) {
	f, err := deploycli.Read(filepath.Join(fixtures, "directory"), directoryMappings(t))
	if err != nil {
		t.Fatal(err)
	}
	if f.Format != deploycli.FormatDirectory || len(f.Hooks) != 3 {
		t.Fatalf("read %s with %d hooks", f.Format, len(f.Hooks))
	}
	// Names are those the Deploy CLI sends: lower-cased, spaces as '-'.
	hooks := byName(f.Hooks)
	cce := hooks["cce-hook"]
	if cce.TriggerID != triggers.CredentialsExchange || !cce.Enabled ||
		!maps.Equal(cce.Secrets, map[string]string{"api-key": "k-123456789"}) ||
		!maps.Equal(cce.Dependencies, map[string]string{"bcrypt": "3.0.6"}) {
		t.Errorf("cce hook = %+v", cce)
	}
	for _, want := range []string{
		`const allowed = ["https://api.acme.example/","https://reports.acme.example/"];`,
		`claims['https://acme.example.com/client'] = client.name;`,
	} {
		if !strings.Contains(cce.Script, want) {
			t.Errorf("cce script lacks %q:\n%s", want, cce.Script)
		}
	}
	signup := hooks["signup-metadata"]
	if signup.Enabled || len(signup.Secrets) != 0 || signup.Dependencies == nil || !strings.Contains(signup.Script, "region: 'eu'") {
		t.Errorf("signup hook = %+v", signup)
	}
	if sms := hooks["sms-provider"]; len(sms.Secrets) != 2 || sms.TriggerID != triggers.SendPhoneMessage {
		t.Errorf("sms hook = %+v", sms)
	}
}

func TestReadYAML(t *testing.T) {
	f, err := deploycli.Read(filepath.Join(fixtures, "yaml", "tenant.yaml"), deploycli.Mappings{"MAIL_TOKEN": "mt-42"})
	if err != nil {
		t.Fatal(err)
	}
	if f.Format != deploycli.FormatYAML || len(f.Hooks) != 3 {
		t.Fatalf("read %s with %d hooks", f.Format, len(f.Hooks))
	}
	hooks := byName(f.Hooks)
	cce := hooks["client-credentials-exchange"] // as the Deploy CLI sends it
	if !cce.Enabled || cce.Secrets["api-key"] != "my custom api key" || cce.Dependencies["bcrypt"] != "3.0.6" ||
		!strings.Contains(cce.Script, "accessToken.scope = scope;") {
		t.Errorf("cce = %+v", cce)
	}
	mail := hooks["welcome-mail"]
	if mail.Secrets["MAIL_TOKEN"] != "mt-42" || !strings.Contains(mail.Script, "'##SENDER##'") {
		t.Errorf("welcome mail = %+v (a keyword without a mapping stays as it is)", mail)
	}
	if audit := hooks["password-audit"]; audit.Enabled || audit.TriggerID != triggers.PostChangePassword {
		t.Errorf("password-audit = %+v", audit)
	}
}

// TestInvalidFilesChangeNothing reads a directory with six bad hook files:
// every problem is reported at once, and nothing is imported.
func TestInvalidFilesChangeNothing(t *testing.T) {
	_, err := deploycli.Read(filepath.Join(fixtures, "invalid"), nil)
	var verr *deploycli.ValidationError
	if !errors.As(err, &verr) {
		t.Fatalf("Read: %v, want a ValidationError", err)
	}
	for _, want := range []string{"bad-name.json: the name \"bad_name!\" has '_'", "broken.json: not valid JSON", "nowhere.js",
		`triggerId "password-exchange"`, "enabled must be true or false", "secrets.A must be a string"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("the error does not report %q:\n%v", want, err)
		}
	}
	// Valid files, but two enabled hooks of one trigger: the plan refuses.
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "hooks"), 0o755)
	for _, f := range []string{"first-enabled.json", "second-enabled.json", "ok.js"} {
		b, _ := os.ReadFile(filepath.Join(fixtures, "invalid", "hooks", f))
		os.WriteFile(filepath.Join(dir, "hooks", f), b, 0o644)
	}
	files, err := deploycli.Read(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	st := store.NewMemory()
	_, err = deploycli.NewPlan(ctx, deploycli.NewStoreTarget(st), files.Hooks, deploycli.PlanOptions{})
	if !errors.As(err, &verr) || !strings.Contains(err.Error(), `Only one active hook allowed for "credentials-exchange" extensibility point. Conflicting hooks: first, second`) {
		t.Errorf("NewPlan: %v", err)
	}
}

func importInto(t *testing.T, target deploycli.Target, path string, m deploycli.Mappings, opts deploycli.PlanOptions) *deploycli.Plan {
	t.Helper()
	f, err := deploycli.Read(path, m)
	if err != nil {
		t.Fatal(err)
	}
	p, err := deploycli.NewPlan(ctx, target, f.Hooks, opts)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Apply(ctx, target); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestImportDirectory(t *testing.T) {
	st := store.NewMemory()
	target := deploycli.NewStoreTarget(st)
	e, _ := engine.New()
	defer e.Close()
	check := func(h deploycli.Hook) error {
		return e.Compile(engine.Hook{Name: h.Name, Trigger: h.TriggerID, Script: h.Script})
	}
	p := importInto(t, target, filepath.Join(fixtures, "directory"), directoryMappings(t), deploycli.PlanOptions{Check: check})
	if got := strings.Join(p.Lines(), "\n"); strings.Count(got, "create") != 3 {
		t.Errorf("plan:\n%s", got)
	}
	l, _ := st.ListHooks(ctx, store.ListOptions{})
	var names []string
	for _, h := range l.Hooks {
		names = append(names, h.Name)
	}
	slices.Sort(names)
	if !slices.Equal(names, []string{"cce-hook", "signup-metadata", "sms-provider"}) {
		t.Errorf("stored names %v", names)
	}
	cce, err := st.EnabledHook(ctx, triggers.CredentialsExchange)
	if err != nil || cce.Name != "cce-hook" || cce.Secrets["api-key"] != "k-123456789" || cce.Dependencies["bcrypt"] != "3.0.6" {
		t.Errorf("enabled cce hook %+v, %v", cce, err)
	}
	// The imported hook runs.
	res, err := e.Run(ctx, engine.Hook{ID: cce.ID, Name: cce.Name, Trigger: cce.TriggerID, Script: cce.Script, Secrets: cce.Secrets},
		`{"client":{"name":"Reports"},"scope":["a"],"audience":"https://api.acme.example/","context":{}}`)
	if err != nil || !strings.Contains(string(res.Envelope.Data), `"https://acme.example.com/key_set":true`) {
		t.Errorf("running the imported hook: %s, %v", res.Envelope.Data, err)
	}
	// Importing again changes nothing.
	f, _ := deploycli.Read(filepath.Join(fixtures, "directory"), directoryMappings(t))
	again, err := deploycli.NewPlan(ctx, target, f.Hooks, deploycli.PlanOptions{})
	if err != nil {
		t.Fatal(err)
	}
	// Secrets with a real value in the files are written again: as
	// deploy-cli did, a value other than _VALUE_NOT_SHOWN_ is an update.
	// Nothing else changes.
	want := map[string][]string{"cce-hook": {"api-key"}, "sms-provider": {"TWILIO_SID", "TWILIO_TOKEN"}, "signup-metadata": nil}
	for _, c := range again.Changes {
		upd := slices.Sorted(maps.Keys(c.UpdateSecrets))
		if len(c.Fields) != 0 || c.AddSecrets != nil || c.DeleteSecrets != nil || !slices.Equal(upd, want[c.Name]) {
			t.Errorf("second import would %s %s: fields %v, secrets %v", c.Action, c.Name, c.Fields, upd)
		}
	}
}

func TestImportYAML(t *testing.T) {
	st := store.NewMemory()
	importInto(t, deploycli.NewStoreTarget(st), filepath.Join(fixtures, "yaml", "tenant.yaml"), deploycli.Mappings{"MAIL_TOKEN": "mt-42"}, deploycli.PlanOptions{})
	l, _ := st.ListHooks(ctx, store.ListOptions{})
	if l.Total != 3 {
		t.Fatalf("%d hooks", l.Total)
	}
	mail, err := st.EnabledHook(ctx, triggers.PostUserRegistration)
	if err != nil || mail.Name != "welcome-mail" || mail.Secrets["MAIL_TOKEN"] != "mt-42" {
		t.Errorf("welcome mail %+v, %v", mail, err)
	}
	if _, err := st.EnabledHook(ctx, triggers.PostChangePassword); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("password-audit is enabled: %v", err)
	}
}

// TestExportImportRoundTrip exports in both formats and imports the export
// into an empty store: the same hooks come back, and importing it into the
// store it came from changes nothing.
func TestExportImportRoundTrip(t *testing.T) {
	src := store.NewMemory()
	importInto(t, deploycli.NewStoreTarget(src), filepath.Join(fixtures, "directory"), directoryMappings(t), deploycli.PlanOptions{})
	hooks, err := deploycli.Export(ctx, deploycli.NewStoreTarget(src))
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range hooks {
		for k, v := range h.Secrets {
			if v != store.HiddenSecretValue {
				t.Errorf("export shows secret %s of %s", k, h.Name)
			}
		}
	}
	dir := t.TempDir()
	yamlFile := filepath.Join(t.TempDir(), "tenant.yaml")
	if warns, err := deploycli.WriteDirectory(dir, hooks); err != nil || len(warns) != 0 {
		t.Fatalf("WriteDirectory: %v %v", warns, err)
	}
	os.WriteFile(yamlFile, []byte("tenant:\n  friendly_name: Kept\nhooks: []\n"), 0o644)
	if _, err := deploycli.WriteYAML(yamlFile, hooks); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(yamlFile)
	if !strings.Contains(string(b), "friendly_name: Kept") || !strings.Contains(string(b), "script: ./hooks/cce-hook.js") {
		t.Errorf("tenant.yaml:\n%s", b)
	}
	js, _ := os.ReadFile(filepath.Join(dir, "hooks", "cce-hook.json"))
	if !strings.Contains(string(js), `"script": "./cce-hook.js"`) || !strings.Contains(string(js), `"api-key": "_VALUE_NOT_SHOWN_"`) {
		t.Errorf("cce-hook.json:\n%s", js)
	}

	want := snapshot(t, src)
	for _, path := range []string{dir, yamlFile} {
		// Into the store it came from: nothing to do.
		f, err := deploycli.Read(path, nil)
		if err != nil {
			t.Fatal(err)
		}
		p, err := deploycli.NewPlan(ctx, deploycli.NewStoreTarget(src), f.Hooks, deploycli.PlanOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if !p.Empty() {
			t.Errorf("%s into its source: %v", filepath.Base(path), p.Lines())
		}
		// Into an empty store: the same hooks.
		dst := store.NewMemory()
		p = importInto(t, deploycli.NewStoreTarget(dst), path, nil, deploycli.PlanOptions{})
		if got := snapshot(t, dst); !maps.Equal(got, want) {
			t.Errorf("%s: imported\n%v\nwant\n%v", filepath.Base(path), got, want)
		}
		if len(p.Warnings) != 3 { // three hidden secret values
			t.Errorf("warnings %v", p.Warnings)
		}
	}
}

// snapshot describes every hook of s by name, secret values left out.
func snapshot(t *testing.T, s store.Store) map[string]string {
	t.Helper()
	l, err := s.ListHooks(ctx, store.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, h := range l.Hooks {
		names, _ := s.SecretNames(ctx, h.ID)
		deps := slices.Sorted(maps.Keys(h.Dependencies))
		out[h.Name] = strings.Join([]string{string(h.TriggerID), h.Script, strings.Join(deps, ","),
			strings.Join(names, ","), map[bool]string{true: "on", false: "off"}[h.Enabled]}, "|")
	}
	return out
}

func TestSecretsAsDeployCLI(t *testing.T) {
	st := store.NewMemory()
	h, _ := st.CreateHook(ctx, &store.Hook{Name: "s", TriggerID: triggers.PreUserRegistration, Script: "x",
		Secrets: map[string]string{"KEEP": "kept", "CHANGE": "old", "DROP": "dropped"}})
	local := []deploycli.Hook{{Name: "s", TriggerID: triggers.PreUserRegistration, Script: "x", Dependencies: map[string]string{},
		Secrets: map[string]string{"KEEP": store.HiddenSecretValue, "CHANGE": "new", "ADD": "added"}}}
	p, err := deploycli.NewPlan(ctx, deploycli.NewStoreTarget(st), local, deploycli.PlanOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Apply(ctx, deploycli.NewStoreTarget(st)); err != nil {
		t.Fatal(err)
	}
	got, _ := st.GetHook(ctx, h.ID)
	if !maps.Equal(got.Secrets, map[string]string{"KEEP": "kept", "CHANGE": "new", "ADD": "added"}) {
		t.Errorf("secrets %v", got.Secrets)
	}
	if got.Script != "x" || got.Version != h.Version+3 {
		t.Errorf("hook changed beyond its secrets: %+v", got)
	}
}

func TestAllowDeleteAndNameClashes(t *testing.T) {
	st := store.NewMemory()
	target := deploycli.NewStoreTarget(st)
	old, _ := st.CreateHook(ctx, &store.Hook{Name: "old", TriggerID: triggers.CredentialsExchange, Script: "x", Enabled: true})
	clash, _ := st.CreateHook(ctx, &store.Hook{Name: "clash", TriggerID: triggers.SendPhoneMessage, Script: "x"})
	local := []deploycli.Hook{
		{Name: "Clash", TriggerID: triggers.PostChangePassword, Script: "y", Source: "clash.json"},
		{Name: "new", TriggerID: triggers.CredentialsExchange, Script: "z", Enabled: true, Source: "new.json"},
	}
	_, err := deploycli.NewPlan(ctx, target, local, deploycli.PlanOptions{})
	if err == nil || !strings.Contains(err.Error(), `clash.json: the name "Clash" is taken by the send-phone-message hook`) {
		t.Fatalf("without --allow-delete: %v", err)
	}
	// With deletions allowed, the clashing hook goes first.
	p, err := deploycli.NewPlan(ctx, target, local, deploycli.PlanOptions{AllowDelete: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Apply(ctx, target); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{old.ID, clash.ID} {
		if _, err := st.GetHook(ctx, id); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("hook %s not deleted: %v", id, err)
		}
	}
	if h, err := st.EnabledHook(ctx, triggers.CredentialsExchange); err != nil || h.Name != "new" {
		t.Errorf("enabled credentials-exchange hook %+v, %v", h, err)
	}

	// Without deletions, a hook the files lack stays, and the plan says
	// enabling another disables it.
	extra, _ := st.CreateHook(ctx, &store.Hook{Name: "extra", TriggerID: triggers.PreUserRegistration, Script: "x", Enabled: true})
	local = []deploycli.Hook{{Name: "pur", TriggerID: triggers.PreUserRegistration, Script: "x", Enabled: true}}
	p, err = deploycli.NewPlan(ctx, target, local, deploycli.PlanOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Warnings) != 1 || !strings.Contains(p.Warnings[0], "enabling pur disables extra") {
		t.Errorf("warnings %v", p.Warnings)
	}
	if err := p.Apply(ctx, target); err != nil {
		t.Fatal(err)
	}
	if h, _ := st.GetHook(ctx, extra.ID); h.Enabled {
		t.Error("extra still enabled")
	}
}

func TestCheckRefusesAll(t *testing.T) {
	st := store.NewMemory()
	local := []deploycli.Hook{
		{Name: "a", TriggerID: triggers.PreUserRegistration, Script: "ok", Source: "a.json"},
		{Name: "b", TriggerID: triggers.PreUserRegistration, Script: "bad", Source: "b.json"},
		{Name: "B", TriggerID: triggers.SendPhoneMessage, Script: "ok", Source: "b2.json"},
	}
	_, err := deploycli.NewPlan(ctx, deploycli.NewStoreTarget(st), local, deploycli.PlanOptions{Check: func(h deploycli.Hook) error {
		if h.Script == "bad" {
			return errors.New("does not compile")
		}
		return nil
	}})
	var verr *deploycli.ValidationError
	if !errors.As(err, &verr) || len(verr.Problems) != 2 {
		t.Fatalf("NewPlan: %v", err)
	}
	if !strings.Contains(err.Error(), "b.json: does not compile") || !strings.Contains(err.Error(), `b2.json: name "B" is the name of b.json`) {
		t.Errorf("problems: %v", err)
	}
}

func TestReplaceKeywords(t *testing.T) {
	m := deploycli.Mappings{"S": "text", "N": 3.0, "L": []any{"a", "b"}, "O": map[string]any{"k": "v"}}
	tests := []struct{ in, want string }{
		{"x ##S## y", "x text y"},
		{`"@@S@@"`, `"text"`},
		{`v = @@S@@;`, `v = "text";`},
		{`{"list": "@@L@@", "raw": @@L@@}`, `{"list": ["a","b"], "raw": ["a","b"]}`},
		{"##N## @@N@@ @@O@@", `3 3 {"k":"v"}`},
		{"##MISSING## @@MISSING@@", "##MISSING## @@MISSING@@"},
	}
	for _, tt := range tests {
		if got := deploycli.ReplaceKeywords(tt.in, m); got != tt.want {
			t.Errorf("ReplaceKeywords(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	dir := t.TempDir()
	plain := filepath.Join(dir, "m.json")
	os.WriteFile(plain, []byte(`{"A":"1"}`), 0o644)
	if got, err := deploycli.LoadMappings(plain); err != nil || got["A"] != "1" {
		t.Errorf("LoadMappings(plain) = %v, %v", got, err)
	}
	os.WriteFile(plain, []byte(`[1]`), 0o644)
	if _, err := deploycli.LoadMappings(plain); err == nil {
		t.Error("LoadMappings of an array succeeded")
	}
}

// TestRemoteTarget imports and exports through a server's Management API.
func TestRemoteTarget(t *testing.T) {
	st := store.NewMemory()
	auth, _ := mgmtapi.NewStaticTokens(mgmtapi.StaticToken{Name: "deploy", Token: "deploy-token"})
	srv := httptest.NewServer(mgmtapi.NewHandler(st, mgmtapi.WithAuthenticator(auth)))
	defer srv.Close()
	c, err := mgmtapi.NewClient(srv.URL, "deploy-token", srv.Client())
	if err != nil {
		t.Fatal(err)
	}
	target := deploycli.NewClientTarget(c)
	importInto(t, target, filepath.Join(fixtures, "yaml", "tenant.yaml"), deploycli.Mappings{"MAIL_TOKEN": "mt-42"}, deploycli.PlanOptions{})
	if got := snapshot(t, st); len(got) != 3 {
		t.Fatalf("imported %v", got)
	}
	hooks, err := deploycli.Export(ctx, target)
	if err != nil {
		t.Fatal(err)
	}
	local, _ := deploycli.Export(ctx, deploycli.NewStoreTarget(st))
	if len(hooks) != 3 || hooks[0].Name != local[0].Name || hooks[2].Script != local[2].Script ||
		!maps.Equal(hooks[0].Secrets, local[0].Secrets) {
		t.Errorf("remote export %+v\nlocal export %+v", hooks, local)
	}
	// A wrong token fails before anything is written.
	bad, _ := mgmtapi.NewClient(srv.URL, "wrong", srv.Client())
	_, err = deploycli.NewPlan(ctx, deploycli.NewClientTarget(bad), hooks, deploycli.PlanOptions{})
	var apiErr *mgmtapi.Error
	if !errors.As(err, &apiErr) || apiErr.StatusCode != 401 {
		t.Errorf("with a wrong token: %v", err)
	}
}

// TestImportScriptForms imports hooks written as an Action and as a bare
// function, checked by the engine's compiler, and runs them from the store
// with the runner; an export gives the same scripts back.
func TestImportScriptForms(t *testing.T) {
	st := store.NewMemory()
	target := deploycli.NewStoreTarget(st)
	e, err := engine.New()
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	check := func(h deploycli.Hook) error {
		return e.Compile(engine.Hook{Name: h.Name, Trigger: h.TriggerID, Script: h.Script})
	}
	dir := filepath.Join(fixtures, "forms")
	p := importInto(t, target, dir, deploycli.Mappings{"DEFAULT_PLAN": "starter"}, deploycli.PlanOptions{Check: check})
	if got := strings.Join(p.Lines(), "\n"); strings.Count(got, "create") != 3 {
		t.Errorf("plan:\n%s", got)
	}
	r := runner.New(st, e)
	tests := []struct {
		trigger triggers.ID
		input   string
		form    triggers.Form
		check   func(o triggers.Outcome) bool
	}{
		{triggers.PreUserRegistration, `{"user":{"email":"a@example.com"},"context":{"connection":{"name":"db"}}}`, triggers.FormAction,
			func(o triggers.Outcome) bool {
				return o.(*triggers.PreUserRegistrationOutcome).AppMetadata["plan"] == "starter"
			}},
		{triggers.CredentialsExchange, `{"client":{"name":"Reports"},"scope":["a"],"audience":"https://api.acme.example/"}`, triggers.FormRule,
			func(o triggers.Outcome) bool {
				return o.(*triggers.CredentialsExchangeOutcome).Claims["https://acme.example.com/client"] == "Reports"
			}},
		{triggers.PostChangePassword, `{"user":{"id":"u1"},"context":{"connection":{"name":"db"}}}`, triggers.FormAction,
			func(o triggers.Outcome) bool { return o.Err() == nil }},
	}
	for _, tt := range tests {
		res, err := r.RunTrigger(ctx, tt.trigger, tt.input)
		if err != nil || res.Form != tt.form || !tt.check(res.Outcome()) {
			t.Errorf("%s: form %q, %s, %v", tt.trigger, res.Form, res.Envelope.Data, err)
		}
	}
	// A bare function whose parameters are not the point's is refused
	// before anything is written.
	bad := []deploycli.Hook{{Name: "wrong args", TriggerID: triggers.SendPhoneMessage,
		Script: "function (user, context, callback) { callback(); }"}}
	if _, err := deploycli.NewPlan(ctx, deploycli.NewStoreTarget(store.NewMemory()), bad, deploycli.PlanOptions{Check: check}); err == nil ||
		!strings.Contains(err.Error(), "must declare 4 parameters") {
		t.Errorf("plan of a mismatched bare function: %v", err)
	}
	hooks, err := deploycli.Export(ctx, target)
	if err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	if _, err := deploycli.WriteDirectory(out, hooks); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"signup-plan", "token-claims", "password-audit"} {
		want, _ := os.ReadFile(filepath.Join(dir, "hooks", name+".js"))
		got, err := os.ReadFile(filepath.Join(out, "hooks", name+".js"))
		if err != nil || string(got) != string(want) {
			t.Errorf("exported %s.js: %v\n%s", name, err, got)
		}
	}
}
