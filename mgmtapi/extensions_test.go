package mgmtapi_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"github.com/hookengine/hookengine/engine"
	"github.com/hookengine/hookengine/enginetest"
	"github.com/hookengine/hookengine/mgmtapi"
	"github.com/hookengine/hookengine/runner"
	"github.com/hookengine/hookengine/store"
	"github.com/hookengine/hookengine/triggers"
)

func TestCheck(t *testing.T) {
	f := newFixture(t)
	e := enginetest.New(t)
	f.h = mgmtapi.NewHandler(f.st, mgmtapi.WithAuthenticator(testAuth(t)), mgmtapi.WithCompiler(e))
	const path = "/hookengine/v1/triggers/pre-user-registration/check"
	body := func(script string) string {
		b, _ := json.Marshal(map[string]string{"script": script})
		return string(b)
	}
	tests := []struct {
		desc, path, token, body string
		status                  int
		want                    string
	}{
		{"compiles", path, updateToken, body(userScript), 200, `{"compiles":true}`},
		{"with create:hooks", path, createToken, body(userScript), 200, `{"compiles":true}`},
		{"syntax error", path, adminToken, body("module.exports = function (user, context, cb) {\n  const plan = 'pro';\n  const y = ;\n  cb();\n};"), 200,
			`{"compiles":false,"error":{"message":"Unexpected token ;","line":3,"column":13}}`},
		{"ends too early", path, adminToken, body("module.exports = function (user, context, cb) {\n  cb();\n"), 200,
			`{"compiles":false,"error":{"message":"Unexpected end of input","line":3,"column":1}}`},
		{"error classes are defined", "/hookengine/v1/triggers/credentials-exchange/check", adminToken,
			body("module.exports = function (c, s, a, ctx, cb) { cb(new InvalidScopeError('no')); };"), 200, `{"compiles":true}`},
		{"an Action", path, adminToken, body("exports.onExecutePreUserRegistration = async (event, api) => {\n  api.user.setAppMetadata('plan', 'free');\n};"), 200, `{"compiles":true}`},
		{"a bare function", path, adminToken, body("function (user, context, callback) {\n  callback(null, { user });\n}"), 200, `{"compiles":true}`},
		{"a bare function of other arguments", "/hookengine/v1/triggers/send-phone-message/check", adminToken,
			body("function (user, context, callback) {\n  callback();\n}"), 200,
			`{"compiles":false,"error":{"message":"a bare function runs as the send-phone-message hook function, which is called with (recipient, text, context, cb): it must declare 4 parameters, not 3","line":1,"column":1}}`},
		{"a bare function that does not parse", path, adminToken, body("function (user, context, callback) {\n  callback(null, { user );\n}"), 200,
			`{"compiles":false,"error":{"message":"Unexpected token )","line":2,"column":25}}`},
		{"empty script", path, adminToken, body(""), 400,
			errBody(400, "Payload validation error: 'String is too short (0 chars), minimum 1' on property script.", "invalid_body")},
		{"no script", path, adminToken, `{}`, 400, errBody(400, "Payload validation error: 'Missing required property: script'.", "invalid_body")},
		{"other property", path, adminToken, `{"script":"x","name":"y"}`, 400, errBody(400, "Payload validation error: 'Additional properties not allowed: name'.", "invalid_body")},
		{"not JSON", path, adminToken, `{"script":`, 400, errBody(400, "Invalid request payload JSON format", "invalid_body")},
		{"unknown trigger", "/hookengine/v1/triggers/password-exchange/check", adminToken, body("x"), 404, ""},
		{"read only", path, readToken, body(userScript), 403,
			errBody(403, "Insufficient scope; expected any of: create:hooks, update:hooks.", "insufficient_scope")},
		{"no token", path, "", body(userScript), 401, errBody(401, "Missing authentication", "missing_authentication")},
		{"GET", path, adminToken, "", 405, errBody(405, "Method GET is not allowed on /hookengine/v1/triggers/{triggerId}/check; allowed: POST.", "method_not_allowed")},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			method := "POST"
			if tt.desc == "GET" {
				method = "GET"
			}
			r := f.do(method, tt.path, tt.token, tt.body)
			if r.status != tt.status || (tt.want != "" && strings.TrimSpace(r.body) != tt.want) {
				t.Errorf("%d %s\nwant %d %s", r.status, r.body, tt.status, tt.want)
			}
		})
	}
	// Without a compiler there is no check endpoint.
	r := newFixture(t).do("POST", path, adminToken, body(userScript))
	if r.status != 404 {
		t.Errorf("without a compiler: %d %s", r.status, r.body)
	}
}

// TestCheckDependencies checks the check endpoint's verdict on each
// declared dependency, against testdata/modules.
func TestCheckDependencies(t *testing.T) {
	f := newFixture(t)
	root, err := os.OpenRoot(filepath.Join("..", "testdata", "modules", "node_modules"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { root.Close() })
	e := enginetest.New(t, engine.WithNodeModules(root.FS()))
	f.h = mgmtapi.NewHandler(f.st, mgmtapi.WithAuthenticator(testAuth(t)), mgmtapi.WithCompiler(e))
	const path = "/hookengine/v1/triggers/pre-user-registration/check"
	body := func(script string, deps map[string]string) string {
		b, _ := json.Marshal(map[string]any{"script": script, "dependencies": deps})
		return string(b)
	}
	tests := []struct {
		desc   string
		body   string
		status int
		want   string
	}{
		{"satisfied", body(userScript, map[string]string{"greet": "^1.2.0", "@acme/strings": "0.4.2"}), 200,
			`{"compiles":true,"dependencies":[{"name":"@acme/strings","version":"0.4.2","ok":true},{"name":"greet","version":"^1.2.0","ok":true}]}`},
		{"none", body(userScript, map[string]string{}), 200, `{"compiles":true}`},
		{"each problem", body(userScript, map[string]string{"greet": "2.0.0", "missing": "1.0.0", "esm-only": "2.0.0", "native-addon": "5.0.1"}), 200,
			`{"compiles":true,"dependencies":[` +
				`{"name":"esm-only","version":"2.0.0","ok":false,"installed":"2.0.0","problem":"esm_only","reason":"require() of ES Module /node_modules/esm-only/index.js is not supported: /node_modules/esm-only/package.json sets \"type\": \"module\", and hooks load CommonJS modules only"},` +
				`{"name":"greet","version":"2.0.0","ok":false,"installed":"1.2.3","problem":"wrong_version","reason":"version 1.2.3 is installed"},` +
				`{"name":"missing","version":"1.0.0","ok":false,"problem":"missing","reason":"the package is not installed in node_modules"},` +
				`{"name":"native-addon","version":"5.0.1","ok":false,"installed":"5.0.1","problem":"native_addon","reason":"Cannot load package 'native-addon': it needs a native addon (its package.json sets \"gypfile\"), and hooks can only load pure-JavaScript packages"}]}`},
		{"and a script that does not compile", body("module.exports = ;", map[string]string{"greet": "1.2.3"}), 200,
			`{"compiles":false,"error":{"message":"Unexpected token ;","line":1,"column":18},"dependencies":[{"name":"greet","version":"1.2.3","ok":true}]}`},
		{"not an object", `{"script":"x","dependencies":[]}`, 400,
			errBody(400, "Payload validation error: 'Expected type object but found type array' on property dependencies.", "invalid_body")},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			r := f.do("POST", path, adminToken, tt.body)
			if r.status != tt.status || strings.TrimSpace(r.body) != tt.want {
				t.Errorf("%d %s\nwant %d %s", r.status, r.body, tt.status, tt.want)
			}
		})
	}
}

// testAuth is the fixture's authenticator.
func testAuth(t *testing.T) mgmtapi.Authenticator {
	t.Helper()
	auth, err := mgmtapi.NewStaticTokens(
		mgmtapi.StaticToken{Name: "admin", Token: adminToken},
		mgmtapi.StaticToken{Name: "reader", Token: readToken, Scopes: []string{mgmtapi.ScopeRead}},
		mgmtapi.StaticToken{Name: "creator", Token: createToken, Scopes: []string{mgmtapi.ScopeCreate}},
		mgmtapi.StaticToken{Name: "updater", Token: updateToken, Scopes: []string{mgmtapi.ScopeUpdate}},
		mgmtapi.StaticToken{Name: "runner", Token: runToken, Scopes: []string{mgmtapi.ScopeRun}},
	)
	if err != nil {
		t.Fatal(err)
	}
	return auth
}

// TestRunOutcome checks the typed outcome in the run endpoints' answers.
func TestRunOutcome(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	set := func(id, script string) {
		t.Helper()
		if _, err := f.st.UpdateHook(ctx, id, store.HookPatch{Script: &script}); err != nil {
			t.Fatal(err)
		}
	}
	signup := enginetest.ReadFile(t, "../testdata/inputs/pre-user-registration.json")
	token := enginetest.ReadFile(t, "../testdata/inputs/credentials-exchange.json")
	tests := []struct {
		desc, hook, script, input, want string
	}{
		{"metadata", "{A}", `module.exports = function (user, context, cb) {
  cb(null, { user: { app_metadata: { plan: 'pro', key: context.webtask.secrets.API_KEY } } });
};`, signup, `{"trigger":"pre-user-registration","denied":false,"user_metadata":null,"app_metadata":{"key":"[REDACTED]","plan":"pro"}}`},
		{"denied", "{A}", `module.exports = function (user, context, cb) {
  cb(new PreUserRegistrationError('blocked domain', 'Sign up with your work address.'));
};`, signup, `{"trigger":"pre-user-registration","denied":true,"user_metadata":null,"app_metadata":null,` +
			`"failure":{"name":"PreUserRegistrationError","message":"blocked domain","friendly_message":"Sign up with your work address."}}`},
		{"claims", "{B}", `module.exports = function (client, scope, audience, context, cb) {
  cb(null, { scope: ['read:users'], 'https://example.com/plan': 'pro', other: 1 });
};`, token, `{"trigger":"credentials-exchange","scope":["read:users"],"claims":{"https://example.com/plan":"pro"},"ignored":["other"]}`},
		{"oauth error", "{B}", `module.exports = function (client, scope, audience, context, cb) {
  cb(new InvalidScopeError('not for you'));
};`, token, `{"trigger":"credentials-exchange","scope":null,"oauth_error":{"status":400,"error":"invalid_scope","error_description":"not for you"},` +
			`"failure":{"name":"InvalidScopeError","message":"not for you"}}`},
	}
	tests = append(tests, []struct {
		desc, hook, script, input, want string
	}{
		{"Action metadata", "{A}", `exports.onExecutePreUserRegistration = async (event, api) => {
  api.user.setAppMetadata('plan', 'pro');
  api.user.setAppMetadata('key', event.secrets.API_KEY);
};`, signup, `{"trigger":"pre-user-registration","denied":false,"user_metadata":null,"app_metadata":{"key":"[REDACTED]","plan":"pro"}}`},
		{"Action denial", "{A}", `exports.onExecutePreUserRegistration = async (event, api) => {
  api.access.deny('blocked domain', 'Sign up with your work address.');
};`, signup, `{"trigger":"pre-user-registration","denied":true,"user_metadata":null,"app_metadata":null,` +
			`"failure":{"name":"PreUserRegistrationError","message":"blocked domain","friendly_message":"Sign up with your work address."}}`},
		{"Action claims", "{B}", `exports.onExecuteCredentialsExchange = async (event, api) => {
  api.accessToken.setCustomClaim('https://example.com/plan', 'pro');
  api.accessToken.setCustomClaim('plan', 'pro');
  api.accessToken.setCustomClaim('sub', 'x');
};`, token, `{"trigger":"credentials-exchange","scope":["read:users","update:users"],"claims":{"https://example.com/plan":"pro","plan":"pro"},"ignored":["sub"]}`},
		{"bare function", "{B}", `function (client, scope, audience, context, cb) {
  cb(null, { scope: ['read:users'], 'https://example.com/plan': 'pro' });
}`, token, `{"trigger":"credentials-exchange","scope":["read:users"],"claims":{"https://example.com/plan":"pro"}}`},
	}...)
	forms := map[string]triggers.Form{"Action metadata": triggers.FormAction, "Action denial": triggers.FormAction,
		"Action claims": triggers.FormAction, "bare function": triggers.FormRule}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			id := f.hookA.ID
			if tt.hook == "{B}" {
				id = f.hookB.ID
			}
			set(id, tt.script)
			r := f.do("POST", "/hookengine/v1/hooks/"+tt.hook+"/run", runToken, tt.input)
			var res mgmtapi.RunResult
			if err := json.Unmarshal([]byte(r.body), &res); err != nil || r.status != 200 {
				t.Fatalf("%d %s", r.status, r.body)
			}
			if string(res.Outcome) != tt.want {
				t.Errorf("outcome %s\nwant    %s", res.Outcome, tt.want)
			}
			want, ok := forms[tt.desc]
			if !ok {
				want = triggers.FormHook
			}
			if res.Form != want {
				t.Errorf("form %q, want %q", res.Form, want)
			}
		})
	}
}

// streamClient reads a log stream's events.
type streamClient struct {
	t    *testing.T
	resp *http.Response
	r    *bufio.Reader
}

// sseEvent is one server-sent event.
type sseEvent struct {
	event, data, id string
	comment         bool
}

func openStream(t *testing.T, url, token string) *streamClient {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Accept", "text/event-stream")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return &streamClient{t: t, resp: resp, r: bufio.NewReader(resp.Body)}
}

// next reads the next event or comment, failing the test after 10 seconds.
func (c *streamClient) next() sseEvent {
	c.t.Helper()
	type result struct {
		ev  sseEvent
		err error
	}
	done := make(chan result, 1)
	go func() {
		var ev sseEvent
		for {
			line, err := c.r.ReadString('\n')
			if err != nil {
				done <- result{ev, err}
				return
			}
			line = strings.TrimSuffix(line, "\n")
			switch {
			case line == "":
				if ev.event != "" || ev.data != "" || ev.comment {
					done <- result{ev, nil}
					return
				}
			case strings.HasPrefix(line, ":"):
				ev.comment = true
				ev.data = strings.TrimSpace(line[1:])
			case strings.HasPrefix(line, "event: "):
				ev.event = line[len("event: "):]
			case strings.HasPrefix(line, "data: "):
				ev.data = line[len("data: "):]
			case strings.HasPrefix(line, "id: "):
				ev.id = line[len("id: "):]
			}
		}
	}()
	select {
	case r := <-done:
		if r.err != nil {
			c.t.Fatalf("reading the stream: %v", r.err)
		}
		return r.ev
	case <-time.After(10 * time.Second):
		c.resp.Body.Close() // ends the reader
		<-done
		c.t.Fatal("no event within 10s")
		return sseEvent{}
	}
}

// nextLog skips comments and returns the next log event.
func (c *streamClient) nextLog() mgmtapi.RunLogEvent {
	c.t.Helper()
	for {
		ev := c.next()
		if ev.comment {
			continue
		}
		if ev.event != "log" {
			c.t.Fatalf("event %q %s, want a log event", ev.event, ev.data)
		}
		var le mgmtapi.RunLogEvent
		if err := json.Unmarshal([]byte(ev.data), &le); err != nil {
			c.t.Fatalf("log event %s: %v", ev.data, err)
		}
		return le
	}
}

// logsFixture is a handler whose engine feeds a RunLogs, on a test server.
type logsFixture struct {
	*fixture
	srv  *httptest.Server
	logs *mgmtapi.RunLogs
}

func newLogsFixture(t *testing.T, cfg mgmtapi.RunLogsConfig) *logsFixture {
	t.Helper()
	f := newFixture(t)
	logs := mgmtapi.NewRunLogs(cfg)
	log := zap.New(zapcore.NewTee(zap.NewNop().Core(), logs.Core()))
	e := enginetest.New(t, engine.WithLogger(log))
	f.h = mgmtapi.NewHandler(f.st, mgmtapi.WithAuthenticator(testAuth(t)), mgmtapi.WithRunner(runner.New(f.st, e)), mgmtapi.WithRunLogs(logs))
	srv := httptest.NewServer(f.h)
	// Streams end first, so that Close does not wait for them.
	t.Cleanup(srv.Close)
	t.Cleanup(logs.Close)
	return &logsFixture{fixture: f, srv: srv, logs: logs}
}

func TestLogStream(t *testing.T) {
	f := newLogsFixture(t, mgmtapi.RunLogsConfig{Heartbeat: 50 * time.Millisecond})
	script := `module.exports = function (user, context, cb) {
  console.log('signup of', user.email, 'key', context.webtask.secrets.API_KEY);
  console.error('a problem');
  cb(null, {});
};`
	if _, err := f.st.UpdateHook(context.Background(), f.hookA.ID, store.HookPatch{Script: &script}); err != nil {
		t.Fatal(err)
	}
	c := openStream(t, f.srv.URL+"/hookengine/v1/hooks/"+f.hookA.ID+"/logs", runToken)
	if c.resp.StatusCode != 200 || c.resp.Header.Get("Content-Type") != "text/event-stream; charset=utf-8" || c.resp.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("%d %v", c.resp.StatusCode, c.resp.Header)
	}
	if ev := c.next(); ev.event != "ready" || ev.data != fmt.Sprintf(`{"hook_id":%q}`, f.hookA.ID) {
		t.Fatalf("first event %+v", ev)
	}
	// A heartbeat comes while nothing happens.
	if ev := c.next(); !ev.comment || ev.data != "keep-alive" {
		t.Errorf("heartbeat %+v", ev)
	}

	// Another hook's run is not in this stream; this hook's runs are.
	input := enginetest.ReadFile(t, "../testdata/inputs/credentials-exchange.json")
	if r := f.do("POST", "/hookengine/v1/hooks/{B}/run", runToken, input); r.status != 200 {
		t.Fatalf("run B: %d %s", r.status, r.body)
	}
	var res mgmtapi.RunResult
	r := f.do("POST", "/hookengine/v1/triggers/pre-user-registration/run", runToken, enginetest.ReadFile(t, "../testdata/inputs/pre-user-registration.json"))
	if err := json.Unmarshal([]byte(r.body), &res); err != nil {
		t.Fatal(err)
	}
	want := []struct{ level, source, message string }{
		{"info", "console", "signup of ada@example.com key [REDACTED]"},
		{"error", "console", "a problem"},
		{"debug", "", "hook run finished"},
	}
	for _, w := range want {
		ev := c.nextLog()
		if ev.HookID != f.hookA.ID || ev.HookName != "Hook A" || ev.Trigger != "pre-user-registration" || ev.ExecutionID != res.ExecutionID ||
			ev.Level != w.level || ev.Source != w.source || ev.Message != w.message || ev.Time.IsZero() {
			t.Errorf("event %+v\nwant %+v", ev, w)
		}
		if w.message == "hook run finished" && (ev.Status != "success" || ev.DurationMS <= 0 || ev.Fields["cpu_time"] == nil) {
			t.Errorf("end of the run: %+v", ev)
		}
	}

	// Close ends the stream with an end event.
	f.logs.Close()
	for {
		ev := c.next()
		if ev.comment {
			continue
		}
		if ev.event != "end" || ev.data != `{"reason":"shutdown"}` {
			t.Errorf("last event %+v", ev)
		}
		break
	}
	if _, err := c.r.ReadString('\n'); err != io.EOF {
		t.Errorf("after the end: %v", err)
	}
	// New streams are refused once closed.
	c2 := openStream(t, f.srv.URL+"/hookengine/v1/hooks/"+f.hookA.ID+"/logs", runToken)
	if c2.resp.StatusCode != 503 || c2.resp.Header.Get("Retry-After") == "" {
		t.Errorf("after Close: %d", c2.resp.StatusCode)
	}
}

func TestLogStreamErrors(t *testing.T) {
	f := newLogsFixture(t, mgmtapi.RunLogsConfig{MaxStreams: 1})
	path := "/hookengine/v1/hooks/{A}/logs"
	tests := []struct {
		desc, method, path, token string
		status                    int
		want                      string
	}{
		{"no token", "GET", path, "", 401, errBody(401, "Missing authentication", "missing_authentication")},
		{"read only", "GET", path, readToken, 403, errBody(403, "Insufficient scope; expected any of: run:hooks.", "insufficient_scope")},
		{"missing hook", "GET", "/hookengine/v1/hooks/01GBPZWEFDT9RFR6PN6939RZZE/logs", runToken, 404, errBody(404, "Error: Hook does not exist", "HookDoesNotExist")},
		{"POST", "POST", path, runToken, 405, errBody(405, "Method POST is not allowed on /hookengine/v1/hooks/{id}/logs; allowed: GET.", "method_not_allowed")},
		{"HEAD", "HEAD", path, runToken, 200, ""},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			r := f.do(tt.method, tt.path, tt.token, "")
			if r.status != tt.status || strings.TrimSpace(r.body) != tt.want {
				t.Errorf("%d %s\nwant %d %s", r.status, r.body, tt.status, tt.want)
			}
		})
	}

	// One stream at most: a second is refused until the first ends.
	url := f.srv.URL + "/hookengine/v1/hooks/" + f.hookA.ID + "/logs"
	c := openStream(t, url, adminToken)
	if ev := c.next(); ev.event != "ready" {
		t.Fatalf("first stream: %+v", ev)
	}
	c2 := openStream(t, url, adminToken)
	body, _ := io.ReadAll(c2.resp.Body)
	if c2.resp.StatusCode != 503 || strings.TrimSpace(string(body)) != errBody(503, "Too many log streams are open; try again later.", "unavailable") {
		t.Errorf("second stream: %d %s", c2.resp.StatusCode, body)
	}
	c.resp.Body.Close()
	// The first stream's end frees its place.
	deadline := time.Now().Add(10 * time.Second)
	for {
		c3 := openStream(t, url, adminToken)
		if c3.resp.StatusCode == 200 {
			if ev := c3.next(); ev.event != "ready" {
				t.Errorf("third stream: %+v", ev)
			}
			c3.resp.Body.Close()
			break
		}
		c3.resp.Body.Close()
		if time.Now().After(deadline) {
			t.Fatalf("the stream's place is not freed: %d", c3.resp.StatusCode)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestLogStreamWithoutRunLogs: without WithRunLogs there is no stream.
func TestLogStreamWithoutRunLogs(t *testing.T) {
	if r := newFixture(t).do("GET", "/hookengine/v1/hooks/{A}/logs", adminToken, ""); r.status != 404 {
		t.Errorf("%d %s", r.status, r.body)
	}
}

// TestRunLogsOnlyHookLines feeds the core directly: only lines with the
// stream's hook_id reach it, with their scalar fields and a bounded
// message.
func TestRunLogsOnlyHookLines(t *testing.T) {
	f := newLogsFixture(t, mgmtapi.RunLogsConfig{})
	c := openStream(t, f.srv.URL+"/hookengine/v1/hooks/"+f.hookB.ID+"/logs", adminToken)
	if ev := c.next(); ev.event != "ready" {
		t.Fatalf("%+v", ev)
	}
	// A line without hook_id (another part of the program) is not sent;
	// a line of the hook is, with its scalar fields.
	log := zap.New(f.logs.Core())
	log.Info("not a hook's line", zap.String("execution_id", "x"))
	log.With(zap.String("hook_id", f.hookB.ID), zap.String("execution_id", "e1")).
		Warn(strings.Repeat("é", 5000), zap.Int("status_code", 429), zap.Duration("waited", 1500*time.Millisecond),
			zap.Any("object", map[string]int{"a": 1}))
	ev := c.nextLog()
	if ev.ExecutionID != "e1" || ev.Level != "warn" || ev.Fields["status_code"] != float64(429) || ev.Fields["waited"] != "1.5s" || ev.Fields["object"] != nil {
		t.Errorf("%+v", ev)
	}
	if len(ev.Message) > mgmtapi.DefaultMaxLogMessage || !strings.HasSuffix(ev.Message, "… [truncated]") || !strings.HasPrefix(ev.Message, "éé") {
		t.Errorf("message of %d bytes: %q...", len(ev.Message), ev.Message[:20])
	}
}
