package mgmtapi_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"

	"github.com/hookengine/hookengine/engine"
	"github.com/hookengine/hookengine/enginetest"
	"github.com/hookengine/hookengine/mgmtapi"
	"github.com/hookengine/hookengine/runner"
	"github.com/hookengine/hookengine/store"
	"github.com/hookengine/hookengine/triggers"
)

// Tokens of the test handler, by what they may do.
const (
	adminToken  = "admin-token-all-scopes"
	readToken   = "reader-token"
	createToken = "creator-token"
	updateToken = "updater-token"
	deleteToken = "deleter-token"
	runToken    = "runner-token"
)

const userScript = "module.exports = function (user, context, cb) { cb(null, { user: user }); };"

type fixture struct {
	t     *testing.T
	h     *mgmtapi.Handler
	st    *store.Memory
	logs  *observer.ObservedLogs
	hookA *store.Hook // pre-user-registration, enabled, secret API_KEY
	hookB *store.Hook // credentials-exchange, disabled
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	auth, err := mgmtapi.NewStaticTokens(
		mgmtapi.StaticToken{Name: "admin", Token: adminToken},
		mgmtapi.StaticToken{Name: "reader", Token: readToken, Scopes: []string{mgmtapi.ScopeRead}},
		mgmtapi.StaticToken{Name: "creator", Token: createToken, Scopes: []string{mgmtapi.ScopeCreate}},
		mgmtapi.StaticToken{Name: "updater", Token: updateToken, Scopes: []string{mgmtapi.ScopeUpdate}},
		mgmtapi.StaticToken{Name: "deleter", SHA256: mgmtapi.TokenDigest(deleteToken), Scopes: []string{mgmtapi.ScopeDelete}},
		mgmtapi.StaticToken{Name: "runner", Token: runToken, Scopes: []string{mgmtapi.ScopeRun}},
	)
	if err != nil {
		t.Fatal(err)
	}
	st := store.NewMemory()
	core, logs := observer.New(zapcore.DebugLevel)
	e := enginetest.New(t, engine.WithLimits(engine.Limits{WallTime: 5 * time.Second}))
	f := &fixture{t: t, st: st, logs: logs,
		h: mgmtapi.NewHandler(st, mgmtapi.WithAuthenticator(auth), mgmtapi.WithRunner(runner.New(st, e)), mgmtapi.WithLogger(zap.New(core)))}
	ctx := context.Background()
	f.hookA, err = st.CreateHook(ctx, &store.Hook{Name: "Hook A", TriggerID: triggers.PreUserRegistration, Script: userScript,
		Enabled: true, Dependencies: map[string]string{"auth0": "2.30.0"}, Secrets: map[string]string{"API_KEY": "abcd-secret-1234"}})
	if err != nil {
		t.Fatal(err)
	}
	f.hookB, err = st.CreateHook(ctx, &store.Hook{Name: "hook-b", TriggerID: triggers.CredentialsExchange,
		Script: "module.exports = function (client, scope, audience, context, cb) { cb(null, { scope: scope }); };"})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

type response struct {
	status int
	header http.Header
	body   string
}

// do sends a request; {A} and {B} in path stand for the fixture's ids.
func (f *fixture) do(method, path, token, body string) response {
	f.t.Helper()
	path = strings.NewReplacer("{A}", f.hookA.ID, "{B}", f.hookB.ID).Replace(path)
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req := httptest.NewRequest(method, path, r)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	rec := httptest.NewRecorder()
	f.h.ServeHTTP(rec, req)
	return response{status: rec.Code, header: rec.Header(), body: rec.Body.String()}
}

// errBody is an error body in Auth0's property order.
func errBody(status int, message, code string) string {
	msg, _ := json.Marshal(message)
	return fmt.Sprintf(`{"statusCode":%d,"error":%q,"message":%s,"errorCode":%q}`, status, http.StatusText(status), msg, code)
}

func hookJSON(h *store.Hook) string {
	deps, _ := json.Marshal(h.Dependencies)
	script, _ := json.Marshal(h.Script)
	return fmt.Sprintf(`{"id":%q,"name":%q,"script":%s,"dependencies":%s,"enabled":%v,"triggerId":%q}`,
		h.ID, h.Name, script, deps, h.Enabled, h.TriggerID)
}

// TestErrors checks the status and the exact body of every error answer
// that does not depend on earlier requests.
func TestErrors(t *testing.T) {
	f := newFixture(t)
	payload := func(msg string) string {
		if strings.Contains(msg, "' on property ") {
			return errBody(400, "Payload validation error: '"+msg+".", "invalid_body")
		}
		return errBody(400, "Payload validation error: '"+msg+"'.", "invalid_body")
	}
	query := func(msg string) string {
		return errBody(400, "Query validation error: '"+msg+".", "invalid_query_string")
	}
	notFound := errBody(404, "Error: Hook does not exist", "HookDoesNotExist")
	const missing = "/api/v2/hooks/01GBPZWEFDT9RFR6PN6939RZZE"
	big := `{"name":"big","triggerId":"pre-user-registration","script":"` + strings.Repeat("x", mgmtapi.MaxBodyBytes) + `"}`
	tests := []struct {
		desc, method, path, token, body string
		status                          int
		want                            string
	}{
		// Authentication and scopes, for every endpoint.
		{"no token", "GET", "/api/v2/hooks", "", "", 401, errBody(401, "Missing authentication", "missing_authentication")},
		{"not bearer", "GET", "/api/v2/hooks", "", "", 401, ""}, // header set below
		{"unknown token", "GET", "/api/v2/hooks", "nope", "", 401, errBody(401, "Invalid token", "invalid_token")},
		{"list without read", "GET", "/api/v2/hooks", createToken, "", 403, errBody(403, "Insufficient scope; expected any of: read:hooks.", "insufficient_scope")},
		{"create without create", "POST", "/api/v2/hooks", readToken, `{}`, 403, errBody(403, "Insufficient scope; expected any of: create:hooks.", "insufficient_scope")},
		{"get without read", "GET", "/api/v2/hooks/{A}", updateToken, "", 403, errBody(403, "Insufficient scope; expected any of: read:hooks.", "insufficient_scope")},
		{"patch without update", "PATCH", "/api/v2/hooks/{A}", createToken, `{"enabled":false}`, 403, errBody(403, "Insufficient scope; expected any of: update:hooks.", "insufficient_scope")},
		{"delete without delete", "DELETE", "/api/v2/hooks/{A}", updateToken, "", 403, errBody(403, "Insufficient scope; expected any of: delete:hooks.", "insufficient_scope")},
		{"secrets without read", "GET", "/api/v2/hooks/{A}/secrets", deleteToken, "", 403, errBody(403, "Insufficient scope; expected any of: read:hooks.", "insufficient_scope")},
		{"add secrets without update", "POST", "/api/v2/hooks/{A}/secrets", createToken, `{"X":"1"}`, 403, errBody(403, "Insufficient scope; expected any of: update:hooks.", "insufficient_scope")},
		{"patch secrets without update", "PATCH", "/api/v2/hooks/{A}/secrets", readToken, `{"X":"1"}`, 403, errBody(403, "Insufficient scope; expected any of: update:hooks.", "insufficient_scope")},
		{"delete secrets without delete", "DELETE", "/api/v2/hooks/{A}/secrets", updateToken, `["X"]`, 403, errBody(403, "Insufficient scope; expected any of: delete:hooks.", "insufficient_scope")},
		{"run without run", "POST", "/hookengine/v1/hooks/{A}/run", updateToken, `{}`, 403, errBody(403, "Insufficient scope; expected any of: run:hooks.", "insufficient_scope")},
		{"run trigger without run", "POST", "/hookengine/v1/triggers/pre-user-registration/run", readToken, `{}`, 403, errBody(403, "Insufficient scope; expected any of: run:hooks.", "insufficient_scope")},

		// Routing.
		{"unknown path", "GET", "/api/v1/hooks", adminToken, "", 404, errBody(404, "Not Found", "not_found")},
		{"another resource", "GET", "/api/v2/rules", adminToken, "", 404, errBody(404, `hookengine serves only the hooks of the Management API (/api/v2/hooks), not /api/v2/rules. With the Deploy CLI, manage only hooks: AUTH0_INCLUDED_ONLY: ["hooks"] in its config file, or AUTH0_INCLUDED_ONLY='["hooks"]' in its environment.`, "hookengine_only_hooks")},
		{"another resource's item", "DELETE", "/api/v2/clients/abc", "", "", 404, errBody(404, `hookengine serves only the hooks of the Management API (/api/v2/hooks), not /api/v2/clients. With the Deploy CLI, manage only hooks: AUTH0_INCLUDED_ONLY: ["hooks"] in its config file, or AUTH0_INCLUDED_ONLY='["hooks"]' in its environment.`, "hookengine_only_hooks")},
		{"trailing slash", "GET", "/api/v2/hooks/", adminToken, "", 404, errBody(404, "Not Found", "not_found")},
		{"too deep", "GET", "/api/v2/hooks/{A}/secrets/x", adminToken, "", 404, errBody(404, "Not Found", "not_found")},
		{"PUT a hook", "PUT", "/api/v2/hooks/{A}", adminToken, `{}`, 405, errBody(405, "Method PUT is not allowed on /api/v2/hooks/{id}; allowed: DELETE, GET, PATCH.", "method_not_allowed")},
		{"DELETE the list", "DELETE", "/api/v2/hooks", adminToken, "", 405, errBody(405, "Method DELETE is not allowed on /api/v2/hooks; allowed: GET, POST.", "method_not_allowed")},

		// Query strings.
		{"page not a number", "GET", "/api/v2/hooks?page=x", adminToken, "", 400, query("Expected type integer but found type string' on property page")},
		{"negative page", "GET", "/api/v2/hooks?page=-1", adminToken, "", 400, query("Value -1 is less than minimum 0' on property page")},
		{"huge page", "GET", "/api/v2/hooks?page=99999999999999999999", adminToken, "", 400, query("Value 99999999999999999999 is out of range' on property page")},
		{"per_page over 100", "GET", "/api/v2/hooks?per_page=101", adminToken, "", 400, query("Value 101 is greater than maximum 100' on property per_page")},
		{"include_totals not boolean", "GET", "/api/v2/hooks?include_totals=yes", adminToken, "", 400, query("Expected type boolean but found type string' on property include_totals")},
		{"enabled not boolean", "GET", "/api/v2/hooks?enabled=1", adminToken, "", 400, query("Expected type boolean but found type string' on property enabled")},
		{"unknown triggerId", "GET", "/api/v2/hooks?triggerId=password-exchange", adminToken, "", 400, query(`No enum match for: "password-exchange"' on property triggerId`)},
		{"unknown field", "GET", "/api/v2/hooks?fields=id,secrets", adminToken, "", 400, query(`Unknown field "secrets"; hooks have id, name, script, dependencies, enabled, triggerId' on property fields`)},
		{"unknown field of a hook", "GET", "/api/v2/hooks/{A}?fields=code", adminToken, "", 400, query(`Unknown field "code"; hooks have id, name, script, dependencies, enabled, triggerId' on property fields`)},
		{"include_fields not boolean", "GET", "/api/v2/hooks/{A}?include_fields=0", adminToken, "", 400, query("Expected type boolean but found type string' on property include_fields")},

		// Create.
		{"malformed JSON", "POST", "/api/v2/hooks", adminToken, `{"name":`, 400, errBody(400, "Invalid request payload JSON format", "invalid_body")},
		{"trailing garbage", "POST", "/api/v2/hooks", adminToken, `{} {}`, 400, errBody(400, "Invalid request payload JSON format", "invalid_body")},
		{"empty body", "POST", "/api/v2/hooks", adminToken, "", 400, payload("Expected type object but found type null")},
		{"array body", "POST", "/api/v2/hooks", adminToken, `[]`, 400, payload("Expected type object but found type array")},
		{"missing name", "POST", "/api/v2/hooks", adminToken, `{"script":"x","triggerId":"pre-user-registration"}`, 400, payload("Missing required property: name")},
		{"missing script", "POST", "/api/v2/hooks", adminToken, `{"name":"x","triggerId":"pre-user-registration"}`, 400, payload("Missing required property: script")},
		{"missing triggerId", "POST", "/api/v2/hooks", adminToken, `{"name":"x","script":"x"}`, 400, payload("Missing required property: triggerId")},
		{"secrets on create", "POST", "/api/v2/hooks", adminToken, `{"name":"x","script":"x","triggerId":"pre-user-registration","secrets":{},"id":"y"}`, 400, payload("Additional properties not allowed: id,secrets")},
		{"name not a string", "POST", "/api/v2/hooks", adminToken, `{"name":7,"script":"x","triggerId":"pre-user-registration"}`, 400, payload("Expected type string but found type integer' on property name")},
		{"name pattern", "POST", "/api/v2/hooks", adminToken, `{"name":"my_hook","script":"x","triggerId":"pre-user-registration"}`, 400, payload(`String does not match pattern ^[a-zA-Z0-9]([ \-a-zA-Z0-9]*[a-zA-Z0-9])?$: my_hook' on property name: the name "my_hook" has '_' at position 3: only letters a-z and A-Z, digits, spaces and '-' are allowed`)},
		{"name too long", "POST", "/api/v2/hooks", adminToken, `{"name":"` + strings.Repeat("n", 201) + `","script":"x","triggerId":"pre-user-registration"}`, 400, payload("String is too long (201 chars), maximum 200' on property name: the name is 201 characters long, at most 200 are allowed")},
		{"empty script", "POST", "/api/v2/hooks", adminToken, `{"name":"x","script":"","triggerId":"pre-user-registration"}`, 400, payload("String is too short (0 chars), minimum 1' on property script")},
		{"script null", "POST", "/api/v2/hooks", adminToken, `{"name":"x","script":null,"triggerId":"pre-user-registration"}`, 400, payload("Expected type string but found type null' on property script")},
		{"unknown trigger", "POST", "/api/v2/hooks", adminToken, `{"name":"x","script":"x","triggerId":"password-exchange"}`, 400, payload(`No enum match for: "password-exchange"' on property triggerId`)},
		{"enabled as a string", "POST", "/api/v2/hooks", adminToken, `{"name":"x","script":"x","triggerId":"pre-user-registration","enabled":"true"}`, 400, payload("Expected type boolean but found type string' on property enabled")},
		{"dependency not a string", "POST", "/api/v2/hooks", adminToken, `{"name":"x","script":"x","triggerId":"pre-user-registration","dependencies":{"a":1.5}}`, 400, payload("Expected type string but found type number' on property dependencies.a")},
		{"dependencies an array", "POST", "/api/v2/hooks", adminToken, `{"name":"x","script":"x","triggerId":"pre-user-registration","dependencies":[]}`, 400, payload("Expected type object but found type array' on property dependencies")},
		{"duplicate name", "POST", "/api/v2/hooks", adminToken, `{"name":"hook a","script":"x","triggerId":"send-phone-message"}`, 409, errBody(409, fmt.Sprintf(`Hook with the same name already exists: "hook a" is too close to "Hook A", the name of hook %s; names must differ in more than case, spaces, hyphens and letter-digit boundaries.`, f.hookA.ID), "HookAlreadyExists")},
		{"body over 1 MB", "POST", "/api/v2/hooks", adminToken, big, 413, errBody(413, "Payload content length greater than maximum allowed: 1048576", "payload_too_large")},

		// Get, update, delete.
		{"get missing", "GET", missing, adminToken, "", 404, notFound},
		{"patch missing", "PATCH", missing, adminToken, `{"enabled":true}`, 404, notFound},
		{"delete missing", "DELETE", missing, adminToken, "", 404, notFound},
		{"patch triggerId", "PATCH", "/api/v2/hooks/{A}", adminToken, `{"triggerId":"send-phone-message"}`, 400, payload("Additional properties not allowed: triggerId")},
		{"patch nothing", "PATCH", "/api/v2/hooks/{A}", adminToken, `{}`, 400, payload("Too few properties defined (0), minimum 1")},
		{"patch malformed", "PATCH", "/api/v2/hooks/{A}", adminToken, `{"enabled":tru}`, 400, errBody(400, "Invalid request payload JSON format", "invalid_body")},
		{"patch enabled null", "PATCH", "/api/v2/hooks/{A}", adminToken, `{"enabled":null}`, 400, payload("Expected type boolean but found type null' on property enabled")},
		{"patch empty script", "PATCH", "/api/v2/hooks/{A}", adminToken, `{"script":""}`, 400, payload("String is too short (0 chars), minimum 1' on property script")},
		{"patch bad name", "PATCH", "/api/v2/hooks/{A}", adminToken, `{"name":" x"}`, 400, payload(`String does not match pattern ^[a-zA-Z0-9]([ \-a-zA-Z0-9]*[a-zA-Z0-9])?$:  x' on property name: the name " x" must start and end with a letter or a digit`)},
		{"patch to a taken name", "PATCH", "/api/v2/hooks/{B}", adminToken, `{"name":"HookA"}`, 409, errBody(409, fmt.Sprintf(`A hook with the same name already exists: "HookA" is too close to "Hook A", the name of hook %s; names must differ in more than case, spaces, hyphens and letter-digit boundaries.`, f.hookA.ID), "HookAlreadyExists")},

		// Secrets.
		{"secrets of missing", "GET", missing + "/secrets", adminToken, "", 404, notFound},
		{"add secrets to missing", "POST", missing + "/secrets", adminToken, `{"X":"1"}`, 404, notFound},
		{"patch secrets of missing", "PATCH", missing + "/secrets", adminToken, `{"X":"1"}`, 404, notFound},
		{"delete secrets of missing", "DELETE", missing + "/secrets", adminToken, `["X"]`, 404, notFound},
		{"add existing secret", "POST", "/api/v2/hooks/{A}/secrets", adminToken, `{"API_KEY":"again"}`, 409, errBody(409, "Secret with the same name already exists.", "HookSecretAlreadyExists")},
		{"patch missing secret", "PATCH", "/api/v2/hooks/{A}/secrets", adminToken, `{"NOPE":"x"}`, 404, errBody(404, "Hook or secret not found.", "HookSecretDoesNotExist")},
		{"secret value not a string", "POST", "/api/v2/hooks/{A}/secrets", adminToken, `{"X":true}`, 400, payload("Expected type string but found type boolean' on property X")},
		{"no secrets", "POST", "/api/v2/hooks/{A}/secrets", adminToken, `{}`, 400, payload("Too few properties defined (0), minimum 1")},
		{"21 secrets", "POST", "/api/v2/hooks/{A}/secrets", adminToken, manySecrets(21), 400, payload("Too many properties defined (21), maximum 20")},
		{"20 more secrets", "POST", "/api/v2/hooks/{A}/secrets", adminToken, manySecrets(20), 400, errBody(400, "A hook can have a maximum of 20 secrets.", "TooManyHookSecrets")},
		{"empty secret name", "POST", "/api/v2/hooks/{A}/secrets", adminToken, `{"":"x"}`, 400, payload("Secret names must not be empty")},
		{"secrets as a list", "PATCH", "/api/v2/hooks/{A}/secrets", adminToken, `[["K","V"]]`, 400, payload("Expected type object but found type array")},
		{"delete secrets by object", "DELETE", "/api/v2/hooks/{A}/secrets", adminToken, `{"API_KEY":"x"}`, 400, payload("Expected type array but found type object")},
		{"delete no secrets", "DELETE", "/api/v2/hooks/{A}/secrets", adminToken, `[]`, 400, payload("Array is too short (0), minimum 1")},
		{"delete secret by number", "DELETE", "/api/v2/hooks/{A}/secrets", adminToken, `["A",2]`, 400, payload("Expected type string but found type integer' on property [1]")},
		{"delete secrets without body", "DELETE", "/api/v2/hooks/{A}/secrets", adminToken, "", 400, payload("Expected type array but found type null")},

		// The run extension.
		{"run missing hook", "POST", "/hookengine/v1" + strings.TrimPrefix(missing, "/api/v2") + "/run", runToken, `{}`, 404, notFound},
		{"run unknown trigger", "POST", "/hookengine/v1/triggers/password-exchange/run", runToken, `{}`, 404, errBody(404, `Unknown extensibility point "password-exchange"; valid ones are credentials-exchange, pre-user-registration, post-user-registration, post-change-password, send-phone-message.`, "hookengine_unknown_trigger")},
		{"run trigger without enabled hook", "POST", "/hookengine/v1/triggers/credentials-exchange/run", runToken, `{}`, 404, errBody(404, "No hook is enabled for the extensibility point credentials-exchange.", "hookengine_no_hook_enabled")},
		{"run on malformed input", "POST", "/hookengine/v1/hooks/{A}/run", runToken, `{"user":`, 400, errBody(400, "Invalid request payload JSON format", "invalid_body")},
		{"run without input", "POST", "/hookengine/v1/hooks/{A}/run", runToken, "", 400, errBody(400, "Invalid request payload JSON format", "invalid_body")},
		{"GET run", "GET", "/hookengine/v1/hooks/{A}/run", runToken, "", 405, errBody(405, "Method GET is not allowed on /hookengine/v1/hooks/{id}/run; allowed: POST.", "method_not_allowed")},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			var r response
			if tt.desc == "not bearer" {
				req := httptest.NewRequest("GET", tt.path, nil)
				req.Header.Set("Authorization", "Basic "+adminToken)
				rec := httptest.NewRecorder()
				f.h.ServeHTTP(rec, req)
				r = response{rec.Code, rec.Header(), rec.Body.String()}
				tt.want = errBody(401, "Invalid token", "invalid_token")
			} else {
				r = f.do(tt.method, tt.path, tt.token, tt.body)
			}
			if r.status != tt.status || strings.TrimSpace(r.body) != tt.want {
				t.Errorf("%s %s: %d %s\nwant %d %s", tt.method, tt.path, r.status, r.body, tt.status, tt.want)
			}
			if ct := r.header.Get("Content-Type"); ct != "application/json; charset=utf-8" {
				t.Errorf("Content-Type %q", ct)
			}
			if tt.status == 405 && r.header.Get("Allow") == "" {
				t.Error("405 without Allow")
			}
		})
	}
	// None of the refused requests changed anything.
	got, _ := f.st.GetHook(context.Background(), f.hookA.ID)
	if got.Version != f.hookA.Version || len(got.Secrets) != 1 {
		t.Errorf("refused requests changed hook A: %+v", got)
	}
	if l, _ := f.st.ListHooks(context.Background(), store.ListOptions{}); l.Total != 2 {
		t.Errorf("refused requests created hooks: %d", l.Total)
	}
}

func manySecrets(n int) string {
	m := map[string]string{}
	for i := range n {
		m[fmt.Sprintf("S%02d", i)] = "v"
	}
	b, _ := json.Marshal(m)
	return string(b)
}

func TestListHooks(t *testing.T) {
	f := newFixture(t)
	a, b := hookJSON(f.hookA), hookJSON(f.hookB)
	tests := []struct {
		query string
		want  string
	}{
		{"", "[" + a + "," + b + "]"},
		{"?include_totals=true", `{"total":2,"start":0,"limit":50,"hooks":[` + a + "," + b + "]}"},
		{"?page=1&per_page=1&include_totals=true", `{"total":2,"start":1,"limit":1,"hooks":[` + b + "]}"},
		{"?page=2&per_page=1&include_totals=true", `{"total":2,"start":2,"limit":1,"hooks":[]}`},
		{"?per_page=0&include_totals=true", `{"total":2,"start":0,"limit":0,"hooks":[]}`},
		{"?page=1", "[]"},
		{"?triggerId=credentials-exchange", "[" + b + "]"},
		{"?enabled=true", "[" + a + "]"},
		{"?enabled=false&triggerId=pre-user-registration", "[]"},
		{"?fields=id&include_fields=true&include_totals=true&per_page=50", // what go-auth0 sends
			fmt.Sprintf(`{"total":2,"start":0,"limit":50,"hooks":[{"id":%q},{"id":%q}]}`, f.hookA.ID, f.hookB.ID)},
		{"?fields=name,triggerId", fmt.Sprintf(`[{"name":"Hook A","triggerId":"pre-user-registration"},{"name":"hook-b","triggerId":"credentials-exchange"}]`)},
		{"?fields=script,dependencies,id&include_fields=false&per_page=1", `[{"name":"Hook A","enabled":true,"triggerId":"pre-user-registration"}]`},
		{"?fields=", "[" + a + "," + b + "]"},
		{"?unknown=1&page=0&page=7", "[" + a + "," + b + "]"},
	}
	for _, tt := range tests {
		r := f.do("GET", "/api/v2/hooks"+tt.query, readToken, "")
		if r.status != 200 || strings.TrimSpace(r.body) != tt.want {
			t.Errorf("GET /api/v2/hooks%s: %d %s\nwant %s", tt.query, r.status, r.body, tt.want)
		}
	}
	if r := f.do("HEAD", "/api/v2/hooks", readToken, ""); r.status != 200 {
		t.Errorf("HEAD: %d", r.status)
	}
}

func TestHookLifecycle(t *testing.T) {
	f := newFixture(t)
	// The body of Auth0's documentation, as it is.
	r := f.do("POST", "/api/v2/hooks", createToken,
		`{"name":"my-hook","script":"module.exports = function(client, scope, audience, context, cb) { cb(null, { scope: scope && ['a'] }); };","triggerId":"credentials-exchange"}`)
	if r.status != 201 {
		t.Fatalf("POST: %d %s", r.status, r.body)
	}
	var created mgmtapi.Hook
	if err := json.Unmarshal([]byte(r.body), &created); err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprintf(`{"id":%q,"name":"my-hook","script":"module.exports = function(client, scope, audience, context, cb) { cb(null, { scope: scope && ['a'] }); };","dependencies":{},"enabled":false,"triggerId":"credentials-exchange"}`, created.ID)
	if strings.TrimSpace(r.body) != want {
		t.Errorf("POST answered\n%s\nwant\n%s", r.body, want)
	}
	if len(created.ID) != 26 {
		t.Errorf("id %q is not 26 characters", created.ID)
	}
	// Names come back as sent (Auth0 answered "test-hook-735").
	r = f.do("POST", "/api/v2/hooks", adminToken, `{"name":"test-hook735","script":"x","triggerId":"send-phone-message","enabled":true,"dependencies":{"twilio":"3.0.0"}}`)
	if r.status != 201 || !strings.Contains(r.body, `"name":"test-hook735"`) || !strings.Contains(r.body, `"enabled":true`) ||
		!strings.Contains(r.body, `"dependencies":{"twilio":"3.0.0"}`) {
		t.Errorf("POST test-hook735: %d %s", r.status, r.body)
	}

	path := "/api/v2/hooks/" + created.ID
	if r := f.do("GET", path, readToken, ""); r.status != 200 || strings.TrimSpace(r.body) != want {
		t.Errorf("GET: %d %s", r.status, r.body)
	}
	if r := f.do("GET", path+"?fields=id,enabled", readToken, ""); strings.TrimSpace(r.body) != fmt.Sprintf(`{"id":%q,"enabled":false}`, created.ID) {
		t.Errorf("GET with fields: %s", r.body)
	}

	// Enabling it disables the hook of its trigger that was enabled.
	f.do("PATCH", "/api/v2/hooks/{B}", adminToken, `{"enabled":true}`)
	r = f.do("PATCH", path, updateToken, `{"enabled":true,"script":"cb()","name":"Renamed Hook","dependencies":{"a":"1"}}`)
	if r.status != 200 {
		t.Fatalf("PATCH: %d %s", r.status, r.body)
	}
	wantPatched := fmt.Sprintf(`{"id":%q,"name":"Renamed Hook","script":"cb()","dependencies":{"a":"1"},"enabled":true,"triggerId":"credentials-exchange"}`, created.ID)
	if strings.TrimSpace(r.body) != wantPatched {
		t.Errorf("PATCH answered %s\nwant %s", r.body, wantPatched)
	}
	if r := f.do("GET", "/api/v2/hooks/{B}?fields=enabled", readToken, ""); strings.TrimSpace(r.body) != `{"enabled":false}` {
		t.Errorf("hook B after enabling another credentials-exchange hook: %s", r.body)
	}
	if r := f.do("PATCH", path, updateToken, `{"dependencies":{}}`); !strings.Contains(r.body, `"dependencies":{}`) {
		t.Errorf("clearing dependencies: %s", r.body)
	}

	// Secrets: write-only.
	if r := f.do("GET", path+"/secrets", readToken, ""); r.status != 200 || strings.TrimSpace(r.body) != `{}` {
		t.Errorf("secrets of a new hook: %d %s", r.status, r.body)
	}
	if r := f.do("POST", path+"/secrets", updateToken, `{"API_KEY":"k-123456","OTHER":"o-123456"}`); r.status != 201 || strings.TrimSpace(r.body) != `{}` {
		t.Errorf("POST secrets: %d %s", r.status, r.body)
	}
	if r := f.do("PATCH", path+"/secrets", updateToken, `{"API_KEY":"k-rotated"}`); r.status != 201 || strings.TrimSpace(r.body) != `{}` {
		t.Errorf("PATCH secrets: %d %s", r.status, r.body)
	}
	if r := f.do("GET", path+"/secrets", readToken, ""); strings.TrimSpace(r.body) != `{"API_KEY":"_VALUE_NOT_SHOWN_","OTHER":"_VALUE_NOT_SHOWN_"}` {
		t.Errorf("GET secrets: %s", r.body)
	}
	if got, _ := f.st.GetHook(context.Background(), created.ID); got.Secrets["API_KEY"] != "k-rotated" {
		t.Errorf("stored secret %q", got.Secrets["API_KEY"])
	}
	if r := f.do("DELETE", path+"/secrets", deleteToken, `["OTHER","NEVER"]`); r.status != 204 || r.body != "" {
		t.Errorf("DELETE secrets: %d %q", r.status, r.body)
	}
	if r := f.do("GET", path+"/secrets", readToken, ""); strings.TrimSpace(r.body) != `{"API_KEY":"_VALUE_NOT_SHOWN_"}` {
		t.Errorf("GET secrets after delete: %s", r.body)
	}

	if r := f.do("DELETE", path, deleteToken, ""); r.status != 204 || r.body != "" {
		t.Errorf("DELETE: %d %q", r.status, r.body)
	}
	// Deleting again is the recorded 404.
	if r := f.do("DELETE", path, deleteToken, ""); r.status != 404 || strings.TrimSpace(r.body) != errBody(404, "Error: Hook does not exist", "HookDoesNotExist") {
		t.Errorf("second DELETE: %d %s", r.status, r.body)
	}
}

func TestRunEndpoints(t *testing.T) {
	f := newFixture(t)
	input := enginetest.ReadFile(t, "../testdata/inputs/pre-user-registration.json")
	r := f.do("POST", "/hookengine/v1/triggers/pre-user-registration/run", runToken, input)
	if r.status != 200 {
		t.Fatalf("run trigger: %d %s", r.status, r.body)
	}
	var res mgmtapi.RunResult
	if err := json.Unmarshal([]byte(r.body), &res); err != nil {
		t.Fatal(err)
	}
	if res.Status != triggers.StatusSuccess || res.HookID != f.hookA.ID || res.ExecutionID == "" || res.Error != "" ||
		!strings.Contains(string(res.Data), `"email":"ada@example.com"`) {
		t.Errorf("run result %+v", res)
	}

	// A disabled hook runs by id; its secrets never show in the answer.
	script := `module.exports = function (client, scope, audience, context, cb) {
  console.log('key is', context.webtask.secrets.KEY);
  cb(null, { 'https://example.com/k': context.webtask.secrets.KEY, 'https://example.com/q': 'say "' + context.webtask.secrets.KEY + '"' });
};`
	if _, err := f.st.UpdateHook(context.Background(), f.hookB.ID, store.HookPatch{Script: &script}); err != nil {
		t.Fatal(err)
	}
	if err := f.st.AddSecrets(context.Background(), f.hookB.ID, map[string]string{"KEY": `s3"cr3t\value`}); err != nil {
		t.Fatal(err)
	}
	cc := enginetest.ReadFile(t, "../testdata/inputs/credentials-exchange.json")
	r = f.do("POST", "/hookengine/v1/hooks/{B}/run", runToken, cc)
	if r.status != 200 {
		t.Fatalf("run hook: %d %s", r.status, r.body)
	}
	if strings.Contains(r.body, "s3") || strings.Contains(r.body, "cr3t") {
		t.Errorf("the answer shows the secret: %s", r.body)
	}
	json.Unmarshal([]byte(r.body), &res)
	if !json.Valid(res.Data) || !strings.Contains(string(res.Data), "[REDACTED]") || len(res.Logs) != 1 || res.Logs[0].Message != "key is [REDACTED]" {
		t.Errorf("redacted result %+v", res)
	}

	// A hook that fails to compile still answers 200, with the error.
	bad := "module.exports = function ("
	f.st.UpdateHook(context.Background(), f.hookB.ID, store.HookPatch{Script: &bad})
	r = f.do("POST", "/hookengine/v1/hooks/{B}/run", runToken, cc)
	json.Unmarshal([]byte(r.body), &res)
	if r.status != 200 || res.Status != triggers.StatusError || res.Error == "" || !strings.Contains(string(res.Data), "Unable to compile") {
		t.Errorf("compile error: %d %s", r.status, r.body)
	}
	// Input the trigger rejects: 200 with the error envelope.
	r = f.do("POST", "/hookengine/v1/hooks/{A}/run", runToken, `[1]`)
	json.Unmarshal([]byte(r.body), &res)
	if r.status != 200 || res.Status != triggers.StatusError || !strings.Contains(res.Error, "not an object") {
		t.Errorf("invalid input: %d %s", r.status, r.body)
	}
}

func TestWithoutRunnerNoRunEndpoints(t *testing.T) {
	h := mgmtapi.NewHandler(store.NewMemory(), mgmtapi.WithoutAuthentication())
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("POST", "/hookengine/v1/triggers/credentials-exchange/run", strings.NewReader(`{}`)))
	if rec.Code != 404 {
		t.Errorf("run without a runner: %d", rec.Code)
	}
	// Without an authenticator every request is refused.
	h = mgmtapi.NewHandler(store.NewMemory())
	rec = httptest.NewRecorder()
	req := httptest.NewRequest("GET", "/api/v2/hooks", nil)
	req.Header.Set("Authorization", "Bearer anything")
	h.ServeHTTP(rec, req)
	if rec.Code != 401 {
		t.Errorf("no authenticator: %d", rec.Code)
	}
}

// TestTokensAndSecretsNeverLogged sends requests with tokens and secrets and
// checks that no log line holds either.
func TestTokensAndSecretsNeverLogged(t *testing.T) {
	f := newFixture(t)
	const secret = "do-not-log-this-secret"
	f.do("GET", "/api/v2/hooks", adminToken, "")
	f.do("GET", "/api/v2/hooks", "wrong-"+adminToken, "")
	f.do("POST", "/api/v2/hooks/{A}/secrets", adminToken, `{"NEW":"`+secret+`"}`)
	f.do("PATCH", "/api/v2/hooks/{A}/secrets", adminToken, `{"NEW":"`+secret+`2"}`)
	f.do("POST", "/hookengine/v1/hooks/{A}/run", adminToken, enginetest.ReadFile(t, "../testdata/inputs/pre-user-registration.json"))
	if f.logs.Len() == 0 {
		t.Fatal("nothing logged")
	}
	for _, e := range f.logs.All() {
		line := e.Message
		for k, v := range e.ContextMap() {
			line += fmt.Sprintf(" %s=%v", k, v)
		}
		for _, bad := range []string{adminToken, secret, "abcd-secret-1234"} {
			if strings.Contains(line, bad) {
				t.Errorf("log line holds %q: %s", bad, line)
			}
		}
	}
	var subjects []string
	for _, e := range f.logs.FilterMessage("request").All() {
		subjects = append(subjects, fmt.Sprint(e.ContextMap()["subject"]))
	}
	if !slices.Contains(subjects, "admin") {
		t.Errorf("request logs do not name the caller: %v", subjects)
	}
}

// TestPanicIsA500 checks that a panic in the store is answered with a 500
// and logged, and the server goes on.
func TestPanicIsA500(t *testing.T) {
	core, logs := observer.New(zapcore.ErrorLevel)
	h := mgmtapi.NewHandler(panicStore{store.NewMemory()}, mgmtapi.WithoutAuthentication(), mgmtapi.WithLogger(zap.New(core)))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/api/v2/hooks", nil))
	if rec.Code != 500 || strings.TrimSpace(rec.Body.String()) != errBody(500, "Internal error", "internal_error") {
		t.Errorf("%d %s", rec.Code, rec.Body)
	}
	if logs.FilterMessage("panic serving a request").Len() != 1 {
		t.Error("the panic was not logged")
	}
}

type panicStore struct{ *store.Memory }

func (panicStore) ListHooks(context.Context, store.ListOptions) (*store.HookList, error) {
	panic("boom")
}

// TestStoreFailures checks the answers to a failing store: 500 (logged)
// for an error, 503 for a closed store.
func TestStoreFailures(t *testing.T) {
	core, logs := observer.New(zapcore.ErrorLevel)
	h := mgmtapi.NewHandler(failingStore{store.NewMemory()}, mgmtapi.WithoutAuthentication(), mgmtapi.WithLogger(zap.New(core)))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/api/v2/hooks/x", nil))
	if rec.Code != 500 || strings.TrimSpace(rec.Body.String()) != errBody(500, "Internal error", "internal_error") {
		t.Errorf("store error: %d %s", rec.Code, rec.Body)
	}
	if logs.FilterMessage("store error").Len() != 1 {
		t.Error("the store error was not logged")
	}
	closed := store.NewMemory()
	closed.Close()
	h = mgmtapi.NewHandler(closed, mgmtapi.WithoutAuthentication())
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/api/v2/hooks", nil))
	if rec.Code != 503 {
		t.Errorf("closed store: %d %s", rec.Code, rec.Body)
	}
}

type failingStore struct{ *store.Memory }

func (failingStore) GetHook(context.Context, string) (*store.Hook, error) {
	return nil, errors.New("disk on fire")
}
