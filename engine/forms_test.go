package engine_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/hookengine/hookengine/engine"
	"github.com/hookengine/hookengine/enginetest"
	"github.com/hookengine/hookengine/triggers"
)

// runForm runs a fixture on a trigger's sample input (or in) and returns
// the result; a nil error is required unless wantErr.
func runForm(t *testing.T, e *engine.Engine, h engine.Hook, in any) *engine.Result {
	t.Helper()
	if in == nil {
		in = input(t, h.Trigger)
	}
	res, err := e.Run(context.Background(), h, in)
	if res == nil {
		t.Fatalf("Run: no result: %v", err)
	}
	return res
}

func TestActionCredentialsExchange(t *testing.T) {
	na := map[string]any{"request": map[string]any{"ip": "203.0.113.7", "geoip": map[string]any{"continentCode": "NA"}}}
	tests := []struct {
		script string
		scope  []string
		ctx    map[string]any
		want   triggers.CredentialsExchangeOutcome
	}{
		{script: "claims.js", want: triggers.CredentialsExchangeOutcome{
			Scope: []string{"read:users", "update:users"},
			Claims: map[string]any{
				"https://example.com/client_name": "Reporting service",
				"https://example.com/plan":        "pro",
				"tenant":                          "acme",
			},
			Ignored: []string{"https://auth0.com/claim", "sub"},
		}},
		{script: "deny-geo.js", want: triggers.CredentialsExchangeOutcome{Scope: []string{"read:users", "update:users"}}},
		{script: "deny-geo.js", ctx: na, want: triggers.CredentialsExchangeOutcome{
			OAuthError: &triggers.OAuthError{StatusCode: http.StatusBadRequest, Code: "invalid_request", Description: "Access from North America is not allowed."},
		}},
		{script: "deny-scope.js", want: triggers.CredentialsExchangeOutcome{
			Scope:  []string{"read:users", "update:users"},
			Claims: map[string]any{"https://example.com/audience": "https://api.acme.example/"},
		}},
		{script: "deny-scope.js", scope: []string{"delete:users"}, want: triggers.CredentialsExchangeOutcome{
			OAuthError: &triggers.OAuthError{StatusCode: http.StatusBadRequest, Code: "invalid_scope", Description: "Scope is not permitted."},
		}},
		// No scope requested: none granted, as with a hook that passes scope on.
		{script: "deny-scope.js", scope: []string{}, want: triggers.CredentialsExchangeOutcome{
			Claims: map[string]any{"https://example.com/audience": "https://api.acme.example/"},
		}},
	}
	e := enginetest.New(t)
	for _, tt := range tests {
		t.Run(tt.script, func(t *testing.T) {
			in := triggers.CredentialsExchangeInput{
				Client:   triggers.Client{ID: "c1", Name: "Reporting service", Tenant: "acme", Metadata: map[string]string{"plan": "pro"}},
				Scope:    []string{"read:users", "update:users"},
				Audience: "https://api.acme.example/",
				Context:  tt.ctx,
			}
			if tt.scope != nil {
				in.Scope = tt.scope
			}
			res := runForm(t, e, engine.Hook{Trigger: triggers.CredentialsExchange, Script: script(t, "actions/credentials-exchange/"+tt.script)}, in)
			if res.Form != triggers.FormAction {
				t.Errorf("Form = %q, want action", res.Form)
			}
			o := res.Outcome().(*triggers.CredentialsExchangeOutcome)
			o.Failure = nil
			if !reflect.DeepEqual(*o, tt.want) {
				t.Errorf("outcome = %#v\nwant      %#v\nenvelope %s", *o, tt.want, res.Envelope.Data)
			}
		})
	}
}

func TestActionPreUserRegistration(t *testing.T) {
	na := `{"user":{"email":"ada@example.com","username":"ada"},"context":{"request":{"ip":"198.51.100.4","language":"es","geoip":{"continentCode":"NA"}},"connection":{"id":"con_1","name":"db","tenant":"acme"}}}`
	tests := []struct {
		script   string
		in       string
		userMeta map[string]any
		appMeta  map[string]any
		failure  *triggers.Failure // Name, Message, FriendlyMessage, Code
	}{
		{script: "metadata.js",
			userMeta: map[string]any{"newsletter": true, "screen_name": "ada"},
			appMeta:  map[string]any{"plan": "free", "signup_connection": "Username-Password-Authentication"}},
		{script: "remove-metadata.js", userMeta: map[string]any{"locale": "fr"}},
		{script: "deny-location.js"},
		{script: "deny-location.js", in: na, failure: &triggers.Failure{Name: "PreUserRegistrationError",
			Message: "no_signups_from_north_america", FriendlyMessage: "No tienes permitido registrarte."}},
		{script: "validation.js", failure: &triggers.Failure{Name: "PreUserRegistrationError",
			Message: "Sign up with your example.org address.", FriendlyMessage: "Sign up with your example.org address.", Code: "invalid_email_domain"}},
		{script: "reserved.js", failure: &triggers.Failure{Name: "InvalidMetadataError",
			Message: `metadata property "blocked" in user.app_metadata is reserved by Auth0`}},
	}
	e := enginetest.New(t)
	for _, tt := range tests {
		t.Run(tt.script, func(t *testing.T) {
			var in any
			if tt.in != "" {
				in = tt.in
			}
			res := runForm(t, e, engine.Hook{Trigger: triggers.PreUserRegistration, Script: script(t, "actions/pre-user-registration/"+tt.script)}, in)
			o := res.Outcome().(*triggers.PreUserRegistrationOutcome)
			if tt.failure == nil {
				if o.Failure != nil {
					t.Fatalf("failure %v; envelope %s", o.Failure, res.Envelope.Data)
				}
				if !reflect.DeepEqual(o.UserMetadata, tt.userMeta) || !reflect.DeepEqual(o.AppMetadata, tt.appMeta) {
					t.Errorf("metadata = %v, %v; want %v, %v", o.UserMetadata, o.AppMetadata, tt.userMeta, tt.appMeta)
				}
				return
			}
			if o.Failure == nil {
				t.Fatalf("not denied; envelope %s", res.Envelope.Data)
			}
			got := triggers.Failure{Name: o.Failure.Name, Message: o.Failure.Message, FriendlyMessage: o.Failure.FriendlyMessage, Code: o.Failure.Code}
			if !reflect.DeepEqual(got, *tt.failure) {
				t.Errorf("failure = %+v, want %+v", got, *tt.failure)
			}
		})
	}
}

// TestActionEvent checks the event each point's Action sees, built from the
// point's sample input.
func TestActionEvent(t *testing.T) {
	const dump = `exports.%s = async (event, api) => { console.log(JSON.stringify(event)); };`
	tests := []struct {
		trigger triggers.ID
		want    map[string]any // properties of event, compared as JSON
		api     []string       // api's properties
	}{
		{triggers.CredentialsExchange, map[string]any{
			"client":          map[string]any{"client_id": "kS1N2dQwCl3uVhXyJxZ7Fz9aBcDeFgHi", "name": "Reporting service", "metadata": map[string]any{"plan": "pro"}},
			"tenant":          map[string]any{"id": "acme"},
			"resource_server": map[string]any{"identifier": "https://api.acme.example/"},
			"accessToken":     map[string]any{"scope": []any{"read:users", "update:users"}, "customClaims": map[string]any{}},
			"transaction":     map[string]any{"requested_scopes": []any{"read:users", "update:users"}},
			"request":         map[string]any{"method": "POST", "geoip": map[string]any{}},
			"secrets":         map[string]any{"API_KEY": "[REDACTED]"},
		}, []string{"access", "accessToken", "cache"}},
		{triggers.PreUserRegistration, map[string]any{
			"user": map[string]any{"email": "ada@example.com", "username": "ada", "email_verified": false,
				"phone_number": "+15555550100", "phone_verified": false,
				"user_metadata": map[string]any{"newsletter": true}, "app_metadata": map[string]any{}},
			"connection":  map[string]any{"id": "con_0123456789abcdef", "name": "Username-Password-Authentication", "strategy": "auth0"},
			"tenant":      map[string]any{"id": "acme"},
			"request":     map[string]any{"ip": "2001:db8::1", "language": "fr", "method": "POST", "geoip": map[string]any{}},
			"transaction": map[string]any{"locale": "fr"},
			"secrets":     map[string]any{"API_KEY": "[REDACTED]"}, // in the logs
		}, []string{"access", "cache", "user", "validation"}},
		{triggers.PostUserRegistration, map[string]any{
			"user": map[string]any{"user_id": "auth0|5f1c7c1e2a3b4c5d6e7f8a9b", "email": "ada@example.com", "username": "ada",
				"email_verified": false, "phone_number": "+15555550100", "phone_verified": false,
				"user_metadata": map[string]any{"newsletter": true}, "app_metadata": map[string]any{}},
			"connection": map[string]any{"id": "con_0123456789abcdef", "name": "Username-Password-Authentication", "strategy": "auth0"},
			"tenant":     map[string]any{"id": "acme"},
			"request":    map[string]any{"language": "en-us", "method": "POST", "geoip": map[string]any{}},
		}, []string{"cache"}},
		{triggers.PostChangePassword, map[string]any{
			"user": map[string]any{"user_id": "auth0|5f1c7c1e2a3b4c5d6e7f8a9b", "email": "ada@example.com", "username": "ada",
				"last_password_reset": "2026-11-20T09:30:00.000Z"},
			"connection": map[string]any{"id": "con_0123456789abcdef", "name": "Username-Password-Authentication", "strategy": "auth0"},
			"tenant":     map[string]any{"id": "acme"},
		}, []string{"cache"}},
		{triggers.SendPhoneMessage, map[string]any{
			"message_options": map[string]any{"action": "second-factor-authentication", "code": "123456", "message_type": "sms",
				"recipient": "+15555550100", "text": "Your verification code is 123456"},
			"client": map[string]any{"client_id": "kS1N2dQwCl3uVhXyJxZ7Fz9aBcDeFgHi", "name": "Acme Portal", "metadata": map[string]any{}},
			"request": map[string]any{"ip": "203.0.113.7", "user_agent": "Mozilla/5.0 (X11; Linux x86_64)", "language": "en",
				"method": "POST", "geoip": map[string]any{}},
			"user": map[string]any{"user_id": "auth0|5f1c7c1e2a3b4c5d6e7f8a9b", "name": "Ada", "email": "ada@example.com",
				"app_metadata": map[string]any{}, "user_metadata": map[string]any{}},
		}, []string{"cache"}},
	}
	e := enginetest.New(t)
	for _, tt := range tests {
		t.Run(string(tt.trigger), func(t *testing.T) {
			tr, _ := triggers.Lookup(tt.trigger)
			src := strings.Replace(dump, "%s", tr.ActionHandler(), 1) +
				"\nconst inner = exports." + tr.ActionHandler() + ";" +
				"\nexports." + tr.ActionHandler() + " = (event, api) => { console.log(Object.keys(api).sort().join(',')); return inner(event, api); };"
			res := runForm(t, e, engine.Hook{Trigger: tt.trigger, Script: src, Secrets: map[string]string{"API_KEY": "k-123456"}}, nil)
			if res.Envelope.Status != triggers.StatusSuccess || len(res.Logs) != 2 {
				t.Fatalf("envelope %s %s, logs %v", res.Envelope.Status, res.Envelope.Data, res.Logs)
			}
			if got := res.Logs[0].Message; got != strings.Join(tt.api, ",") {
				t.Errorf("api has %s, want %s", got, strings.Join(tt.api, ","))
			}
			var event map[string]any
			if err := json.Unmarshal([]byte(res.Logs[1].Message), &event); err != nil {
				t.Fatal(err)
			}
			for k, want := range tt.want {
				if !jsonEqual(t, mustJSON(t, event[k]), toString(want)) {
					t.Errorf("event.%s = %s, want %s", k, toString(event[k]), toString(want))
				}
			}
		})
	}
}

func TestActionPostPoints(t *testing.T) {
	tests := []struct {
		trigger triggers.ID
		script  string
		secrets map[string]string
		log     string
		failure string
	}{
		{triggers.PostUserRegistration, "post-user-registration/notify.js", nil,
			"new user auth0|5f1c7c1e2a3b4c5d6e7f8a9b (ada@example.com) on Username-Password-Authentication in acme", ""},
		{triggers.PostChangePassword, "post-change-password/notify.js", nil,
			"password changed for ada@example.com (auth0|5f1c7c1e2a3b4c5d6e7f8a9b) on Username-Password-Authentication", ""},
		{triggers.SendPhoneMessage, "send-phone-message/send.js", map[string]string{"PROVIDER_KEY": "pk-0001"},
			"sms (second-factor-authentication) to +15555550100 from 203.0.113.7: Your verification code is 123456", ""},
		{triggers.SendPhoneMessage, "send-phone-message/send.js", nil, "", "PROVIDER_KEY is not set"},
	}
	e := enginetest.New(t)
	for _, tt := range tests {
		t.Run(tt.script, func(t *testing.T) {
			res := runForm(t, e, engine.Hook{Trigger: tt.trigger, Script: script(t, "actions/"+tt.script), Secrets: tt.secrets}, nil)
			err := res.Outcome().Err()
			if tt.failure != "" {
				var f *triggers.Failure
				if !errors.As(err, &f) || f.Message != tt.failure {
					t.Fatalf("failure %v, want %q", err, tt.failure)
				}
				return
			}
			if err != nil {
				t.Fatalf("failure %v", err)
			}
			if len(res.Logs) != 1 || res.Logs[0].Message != tt.log {
				t.Errorf("logs %v, want %q", res.Logs, tt.log)
			}
		})
	}
	res := runForm(t, e, engine.Hook{Trigger: triggers.SendPhoneMessage, Script: script(t, "actions/send-phone-message/send.js"),
		Secrets: map[string]string{"PROVIDER_KEY": "pk-0001"}}, nil)
	if o := res.Outcome().(*triggers.SendPhoneMessageOutcome); o.Failure != nil || o.Result == nil || len(o.Result) != 0 {
		t.Errorf("send-phone-message outcome %+v, want an empty result", o)
	}
}

// TestActionErrors covers Action scripts the engine refuses or that fail.
func TestActionErrors(t *testing.T) {
	tests := []struct {
		name    string
		trigger triggers.ID
		script  string
		form    triggers.Form
		is      error
		message string // the envelope's message
	}{
		{"wrong handler", triggers.PreUserRegistration, script(t, "actions/pre-user-registration/wrong-handler.js"), "", engine.ErrNoHookFunction,
			"The Action exports onExecutePostLogin, but a pre-user-registration Action must export onExecutePreUserRegistration"},
		{"hook form asked, action given", triggers.PreUserRegistration, script(t, "actions/pre-user-registration/metadata.js"), triggers.FormHook, engine.ErrNoHookFunction,
			"The hook script must set module.exports to a function"},
		{"action form asked, hook given", triggers.PreUserRegistration, script(t, "pre-user-registration/metadata.js"), triggers.FormAction, engine.ErrNoHookFunction,
			"The Action must export onExecutePreUserRegistration as a function"},
		{"nothing exported", triggers.PostChangePassword, "const x = 1;", "", engine.ErrNoHookFunction,
			"The script must set module.exports to a function, or export onExecutePostChangePassword as a function"},
		{"sync throw", triggers.PreUserRegistration, script(t, "actions/pre-user-registration/sync-throw.js"), "", engine.ErrThrown,
			"the registration service is down"},
		{"bad deny code", triggers.CredentialsExchange, script(t, "actions/credentials-exchange/bad-code.js"), "", engine.ErrThrown,
			"api.access.deny: code must be one of invalid_scope, invalid_request, server_error"},
		{"claim key not a string", triggers.CredentialsExchange, "exports.onExecuteCredentialsExchange = (event, api) => { api.accessToken.setCustomClaim(1, 2); };", "",
			engine.ErrThrown, "api.accessToken.setCustomClaim: the key must be a string"},
	}
	e := enginetest.New(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := e.Run(context.Background(), engine.Hook{Trigger: tt.trigger, Script: tt.script, Form: tt.form}, input(t, tt.trigger))
			if !errors.Is(err, tt.is) {
				t.Fatalf("err = %v, want %v", err, tt.is)
			}
			if m := data(t, res.Envelope.Data)["message"]; m != tt.message {
				t.Errorf("message = %q, want %q", m, tt.message)
			}
		})
	}
}

// TestActionCache runs a counting Action on a virtual clock: the count
// lives in the trigger's cache until its ttl passes.
func TestActionCache(t *testing.T) {
	clk := enginetest.NewClock(time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC))
	e := enginetest.New(t, engine.WithClock(clk))
	h := engine.Hook{Trigger: triggers.CredentialsExchange, Script: script(t, "actions/credentials-exchange/cache.js")}
	count := func(h engine.Hook) any {
		res := runForm(t, e, h, nil)
		o := res.Outcome().(*triggers.CredentialsExchangeOutcome)
		if o.Failure != nil {
			t.Fatalf("failure %v", o.Failure)
		}
		return o.Claims["https://example.com/count"]
	}
	for want := 1.0; want <= 3; want++ {
		if got := count(h); got != want {
			t.Fatalf("count = %v, want %v", got, want)
		}
	}
	// Another hook of the same trigger shares the trigger's cache.
	other := h
	other.ID = "another"
	if got := count(other); got != 4.0 {
		t.Fatalf("count = %v, want 4", got)
	}
	clk.Advance(61 * time.Second)
	if got := count(h); got != 1.0 {
		t.Fatalf("after the ttl, count = %v, want 1", got)
	}
}

func TestActionCacheAPI(t *testing.T) {
	tests := []struct {
		name, body string
		want       string // JSON of what the script calls back with through a claim
	}{
		{"set and get", `api.cache.set('k', 'v'); return api.cache.get('k').value;`, `"v"`},
		{"missing", `return api.cache.get('nope') === undefined;`, `true`},
		{"delete", `api.cache.set('k', 'v'); const r = api.cache.delete('k'); return [r.type, api.cache.get('k') === undefined];`, `["success",true]`},
		{"not a string", `return api.cache.set('k', 42);`, `{"type":"error","code":"invalid_value"}`},
		{"key too long", `return api.cache.set('k'.repeat(65), 'v');`, `{"type":"error","code":"key_too_large"}`},
		{"value too long", `return api.cache.set('k', 'v'.repeat(4097));`, `{"type":"error","code":"value_too_large"}`},
		{"bad ttl", `return api.cache.set('k', 'v', { ttl: -5 });`, `{"type":"error","code":"invalid_options"}`},
		{"lifetime capped at 24 hours", `api.cache.set('k', 'v', { ttl: 7 * 24 * 3600 * 1000 }); return api.cache.get('k').expires_at - Date.now() <= 24 * 3600 * 1000;`, `true`},
		{"earlier of ttl and expires_at", `api.cache.set('k', 'v', { ttl: 60000, expires_at: Date.now() + 1000 }); return api.cache.get('k').expires_at - Date.now() <= 1000;`, `true`},
		{"at most 20 entries", `for (let i = 0; i < 25; i++) api.cache.set('k' + i, 'v'); let n = 0; for (let i = 0; i < 25; i++) if (api.cache.get('k' + i)) n++; return n;`, `20`},
		{"at most 8 KiB", `for (let i = 0; i < 3; i++) api.cache.set('k' + i, 'v'.repeat(4000)); let n = 0; for (let i = 0; i < 3; i++) if (api.cache.get('k' + i)) n++; return n;`, `2`},
		{"get key not a string", `try { api.cache.get(1); } catch (e) { return e.name + ': ' + e.message; }`, `"TypeError: api.cache.get: the key must be a string"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := `exports.onExecuteCredentialsExchange = (event, api) => {
  const v = (() => {` + tt.body + `})();
  api.accessToken.setCustomClaim('https://example.com/r', v);
};`
			res, err := enginetest.Run(t, triggers.CredentialsExchange, src, input(t, triggers.CredentialsExchange))
			if err != nil {
				t.Fatal(err)
			}
			got := res.Outcome().(*triggers.CredentialsExchangeOutcome).Claims["https://example.com/r"]
			if !jsonEqual(t, mustJSON(t, got), tt.want) {
				t.Errorf("got %s, want %s", toString(got), tt.want)
			}
		})
	}
}

func TestRuleForm(t *testing.T) {
	tests := []struct {
		trigger triggers.ID
		script  string
		check   func(t *testing.T, res *engine.Result)
	}{
		{triggers.PreUserRegistration, "pre-user-registration.js", func(t *testing.T, res *engine.Result) {
			o := res.Outcome().(*triggers.PreUserRegistrationOutcome)
			if o.Failure != nil || !reflect.DeepEqual(o.AppMetadata, map[string]any{"plan": "free"}) {
				t.Errorf("outcome %+v", o)
			}
		}},
		{triggers.PreUserRegistration, "pre-user-registration-deny.js", func(t *testing.T, res *engine.Result) {
			o := res.Outcome().(*triggers.PreUserRegistrationOutcome)
			if o.Failure != nil || !reflect.DeepEqual(o.AppMetadata, map[string]any{"checked": true}) {
				t.Errorf("outcome %+v", o)
			}
		}},
		{triggers.CredentialsExchange, "credentials-exchange.js", func(t *testing.T, res *engine.Result) {
			o := res.Outcome().(*triggers.CredentialsExchangeOutcome)
			if !reflect.DeepEqual(o.Claims, map[string]any{"https://example.com/claim": "bar"}) || len(o.Scope) != 2 {
				t.Errorf("outcome %+v", o)
			}
		}},
		{triggers.SendPhoneMessage, "send-phone-message.js", func(t *testing.T, res *engine.Result) {
			if len(res.Logs) != 1 || res.Logs[0].Message != "sending to +15555550100" {
				t.Errorf("logs %v", res.Logs)
			}
		}},
	}
	e := enginetest.New(t)
	for _, tt := range tests {
		t.Run(tt.script, func(t *testing.T) {
			res := runForm(t, e, engine.Hook{Trigger: tt.trigger, Script: script(t, "rules/"+tt.script)}, nil)
			if res.Form != triggers.FormRule {
				t.Errorf("Form = %q, want rule", res.Form)
			}
			if res.Envelope.Status != triggers.StatusSuccess {
				t.Fatalf("envelope %s", res.Envelope.Data)
			}
			tt.check(t, res)
		})
	}
}

func TestRuleFormCompileErrors(t *testing.T) {
	tests := []struct {
		name    string
		trigger triggers.ID
		script  string
		form    triggers.Form
		message string
		line    int
	}{
		{"arity", triggers.CredentialsExchange, script(t, "rules/arity-mismatch.js"), "",
			"a bare function runs as the credentials-exchange hook function, which is called with (client, scope, audience, context, cb): it must declare 5 parameters, not 3", 1},
		{"syntax error inside", triggers.PreUserRegistration, script(t, "rules/syntax-error.js"), "", "Unexpected token )", 2},
		{"rule form asked, module given", triggers.PreUserRegistration, script(t, "pre-user-registration/metadata.js"), triggers.FormRule, "", 0},
		{"module starting with a function, error further on", triggers.PreUserRegistration,
			"function helper() { return 1; }\nmodule.exports = function (user, context, cb) {\n  const x = ;\n};", "", "Unexpected token ;", 3},
		{"rest parameter", triggers.PreUserRegistration, "function (...args) { args[2](); }", "", "a bare function must not take a rest parameter", 1},
	}
	e := enginetest.New(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := e.Compile(engine.Hook{Trigger: tt.trigger, Script: tt.script, Form: tt.form})
			var ce *engine.CompileError
			if !errors.As(err, &ce) {
				t.Fatalf("Compile = %v, want a CompileError", err)
			}
			if tt.message != "" && ce.Message != tt.message {
				t.Errorf("message = %q, want %q", ce.Message, tt.message)
			}
			if tt.line != 0 && ce.Line != tt.line {
				t.Errorf("line = %d, want %d", ce.Line, tt.line)
			}
		})
	}
}

// A Hooks-form script may start with a helper function: it is not a bare
// function.
func TestHelperFunctionFirstIsAHook(t *testing.T) {
	src := `function plan(user) { return user.email.endsWith('@example.com') ? 'pro' : 'free'; }

module.exports = function (user, context, cb) {
  cb(null, { user: { app_metadata: { plan: plan(user) } } });
};`
	res, err := enginetest.Run(t, triggers.PreUserRegistration, src, input(t, triggers.PreUserRegistration))
	if err != nil || res.Form != triggers.FormHook {
		t.Fatalf("form %q, %v", res.Form, err)
	}
	if o := res.Outcome().(*triggers.PreUserRegistrationOutcome); o.AppMetadata["plan"] != "pro" {
		t.Errorf("outcome %+v", o)
	}
}

// TestFormConformance runs the same logic written as a Hook, as an Action
// and (where the fixture exists) as a bare function on the same input, and
// requires the same outcome: the fixtures are testdata/conformance/TRIGGER/
// NAME.{hook,action,rule}.js.
func TestFormConformance(t *testing.T) {
	root := filepath.Join("..", "testdata", "conformance")
	e := enginetest.New(t)
	inputs := map[string]string{
		"credentials-exchange/deny-scope": `{"client":{"id":"c1","name":"Reporting service","tenant":"acme"},"scope":["read:users","update:users"],"audience":"https://api.acme.example/"}`,
	}
	forms := map[string]triggers.Form{"hook": triggers.FormHook, "action": triggers.FormAction, "rule": triggers.FormRule}
	n := 0
	for _, id := range triggers.IDs() {
		files, _ := filepath.Glob(filepath.Join(root, string(id), "*.hook.js"))
		for _, hookFile := range files {
			name := strings.TrimSuffix(filepath.Base(hookFile), ".hook.js")
			t.Run(string(id)+"/"+name, func(t *testing.T) {
				var in any = input(t, id)
				if s, ok := inputs[string(id)+"/"+name]; ok {
					in = s
				}
				var base *engine.Result
				var baseErr error
				for _, v := range []string{"hook", "action", "rule"} {
					file := filepath.Join(root, string(id), name+"."+v+".js")
					src, err := os.ReadFile(file)
					if v == "rule" && errors.Is(err, os.ErrNotExist) {
						continue
					}
					if err != nil {
						t.Fatal(err)
					}
					h := engine.Hook{Name: name, Trigger: id, Script: string(src), Secrets: map[string]string{"KEY_ID": "key-2026-12"}}
					res, runErr := e.Run(context.Background(), h, in)
					if res == nil {
						t.Fatalf("%s: %v", v, runErr)
					}
					if res.Form != forms[v] {
						t.Errorf("%s: detected form %q", v, res.Form)
					}
					if base == nil {
						base, baseErr = res, runErr
						continue
					}
					if !sameOutcome(res.Outcome(), base.Outcome()) {
						t.Errorf("%s outcome differs from hook's:\n%s: %s\nhook: %s", v, v, outcomeJSON(res.Outcome()), outcomeJSON(base.Outcome()))
					}
					if (runErr == nil) != (baseErr == nil) || errors.Is(runErr, engine.ErrThrown) != errors.Is(baseErr, engine.ErrThrown) {
						t.Errorf("%s: run error %v, hook's %v", v, runErr, baseErr)
					}
					if !sameLogs(res.Logs, base.Logs) {
						t.Errorf("%s: logs %v, hook's %v", v, res.Logs, base.Logs)
					}
				}
			})
			n++
		}
	}
	if n < 10 {
		t.Fatalf("only %d conformance cases found under %s", n, root)
	}
}

// sameOutcome compares outcomes without the raw error data, whose stack
// differs between forms.
func sameOutcome(a, b triggers.Outcome) bool { return outcomeJSON(a) == outcomeJSON(b) }

func outcomeJSON(o triggers.Outcome) string {
	v := reflect.ValueOf(o).Elem()
	m := map[string]any{}
	for i := 0; i < v.NumField(); i++ {
		f := v.Field(i).Interface()
		if fl, ok := f.(*triggers.Failure); ok && fl != nil {
			f = [4]string{fl.Name, fl.Message, fl.FriendlyMessage, fl.Code}
		}
		m[v.Type().Field(i).Name] = f
	}
	b, _ := json.Marshal(m)
	return string(b)
}

func sameLogs(a, b []engine.LogEntry) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].Message != b[i].Message || a[i].Level != b[i].Level {
			return false
		}
	}
	return true
}

// An Action whose module breaks the globals the engine's adapter uses fails
// as a script that throws, not as an internal error.
func TestActionBrokenGlobals(t *testing.T) {
	src := `Object.freeze = () => { throw new Error('no freezing here'); };
exports.onExecutePostChangePassword = async (event, api) => {};`
	res, err := enginetest.Run(t, triggers.PostChangePassword, src, input(t, triggers.PostChangePassword))
	if !errors.Is(err, engine.ErrThrown) || data(t, res.Envelope.Data)["message"] != "no freezing here" {
		t.Fatalf("err %v, envelope %s", err, res.Envelope.Data)
	}
}

func TestUnknownForm(t *testing.T) {
	e := enginetest.New(t)
	h := engine.Hook{Trigger: triggers.PostChangePassword, Form: "rules", Script: "module.exports = (u, c, cb) => cb();"}
	if res, err := e.Run(context.Background(), h, input(t, triggers.PostChangePassword)); res != nil || !errors.Is(err, engine.ErrUnknownForm) {
		t.Errorf("Run: %v, %v; want ErrUnknownForm", res, err)
	}
	if err := e.Compile(h); !errors.Is(err, engine.ErrUnknownForm) {
		t.Errorf("Compile: %v; want ErrUnknownForm", err)
	}
	if err := e.RunAsync(context.Background(), h, input(t, triggers.PostChangePassword)); !errors.Is(err, engine.ErrUnknownForm) {
		t.Errorf("RunAsync: %v; want ErrUnknownForm", err)
	}
}

// Changing event itself changes nothing: only the api's setters count.
func TestActionEventChangesDoNotCount(t *testing.T) {
	src := `exports.onExecutePreUserRegistration = async (event, api) => {
  event.user.user_metadata.newsletter = false;
  event.user.app_metadata.plan = 'free-for-life';
  api.user.setUserMetadata('screen_name', 'ada');
};`
	res, err := enginetest.Run(t, triggers.PreUserRegistration, src, input(t, triggers.PreUserRegistration))
	if err != nil {
		t.Fatal(err)
	}
	o := res.Outcome().(*triggers.PreUserRegistrationOutcome)
	if !reflect.DeepEqual(o.UserMetadata, map[string]any{"newsletter": true, "screen_name": "ada"}) || o.AppMetadata != nil {
		t.Errorf("outcome %+v", o)
	}
}

// Actions run under the same limits and endings as Hooks.
func TestActionLimits(t *testing.T) {
	e := enginetest.New(t, engine.WithLimits(engine.Limits{CPUTime: 50 * time.Millisecond, WallTime: 10 * time.Second}))
	tests := []struct {
		name, script string
		is           []error
	}{
		{"endless loop", `exports.onExecutePostChangePassword = async () => { for (;;) {} };`,
			[]error{engine.ErrCPUTimeExceeded, engine.ErrWallTimeExceeded}},
		{"promise that never settles", `exports.onExecutePostChangePassword = () => new Promise(() => {});`,
			[]error{engine.ErrNoCallback}},
		{"rejection later", `exports.onExecutePostChangePassword = () => new Promise((_, reject) => setTimeout(() => reject(new Error('late')), 1));`,
			[]error{engine.ErrThrown}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := e.Run(context.Background(), engine.Hook{Trigger: triggers.PostChangePassword, Script: tt.script}, input(t, triggers.PostChangePassword))
			ok := false
			for _, want := range tt.is {
				ok = ok || errors.Is(err, want)
			}
			if !ok || res.Envelope.Succeeded() {
				t.Errorf("err %v, envelope %s; want one of %v", err, res.Envelope.Data, tt.is)
			}
		})
	}
}
