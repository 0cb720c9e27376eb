package mgmtapi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/hookengine/hookengine/engine"
	"github.com/hookengine/hookengine/enginetest"
	"github.com/hookengine/hookengine/internal/redact"
	"github.com/hookengine/hookengine/mgmtapi"
	"github.com/hookengine/hookengine/runner"
	"github.com/hookengine/hookengine/store"
)

// TestEncodedSlash checks every route: a path whose segments are joined by
// an encoded slash (or backslash), in any case and encoded once or more,
// reaches no route, so /api/v2/hooks/ID%2Fsecrets is a 404 and never the
// secrets of ID.
func TestEncodedSlash(t *testing.T) {
	f := newFixture(t)
	e := enginetest.New(t)
	logs := mgmtapi.NewRunLogs(mgmtapi.RunLogsConfig{})
	t.Cleanup(logs.Close)
	f.h = mgmtapi.NewHandler(f.st, mgmtapi.WithAuthenticator(testAuth(t)), mgmtapi.WithRunner(runner.New(f.st, e)),
		mgmtapi.WithCompiler(e), mgmtapi.WithRunLogs(logs))
	notFound := errBody(404, "Not Found", "not_found")
	hookNotFound := errBody(404, "Error: Hook does not exist", "HookDoesNotExist")
	input := enginetest.ReadFile(t, "../testdata/inputs/pre-user-registration.json")
	tests := []struct {
		method, path, body string
		want               string // the exact 404 body
	}{
		{"GET", "/api/v2/hooks/{A}%2Fsecrets", "", notFound},
		{"GET", "/api/v2/hooks/{A}%2fsecrets", "", notFound},
		{"GET", "/api/v2/hooks/{A}%252Fsecrets", "", notFound},
		{"GET", "/api/v2/hooks/{A}%25252fsecrets", "", notFound},
		{"GET", "/api/v2/hooks/{A}%5Csecrets", "", notFound},
		{"GET", "/api/v2/hooks/{A}%2F", "", notFound},
		{"GET", "/api/v2/hooks%2F{A}", "", notFound},
		{"GET", "/api%2Fv2%2Fhooks", "", notFound},
		{"GET", "/api/v2/hooks/%2e%2e%2Fhooks%2F{A}/secrets", "", notFound},
		{"POST", "/api/v2/hooks/{A}%2Fsecrets", `{"NEW":"value"}`, notFound},
		{"PATCH", "/api/v2/hooks/{A}%2Fsecrets", `{"API_KEY":"changed"}`, notFound},
		{"DELETE", "/api/v2/hooks/{A}%2Fsecrets", `["API_KEY"]`, notFound},
		{"DELETE", "/api/v2/hooks/{A}%2F", "", notFound},
		{"POST", "/hookengine/v1/hooks/{A}%2Frun", input, notFound},
		{"POST", "/hookengine/v1/hooks%2F{A}/run", input, notFound},
		{"GET", "/hookengine/v1/hooks/{A}%2Flogs", "", notFound},
		{"POST", "/hookengine/v1/triggers/pre-user-registration%2Frun", input, notFound},
		{"POST", "/hookengine/v1/triggers/pre-user-registration%2fcheck", `{"script":"x"}`, notFound},
		{"POST", "/hookengine%2Fv1/triggers/pre-user-registration/run", input, notFound},
		// An encoded character that is not a separator is decoded: the
		// id is found, or not, as sent.
		{"GET", "/api/v2/hooks/{A}%00secrets", "", hookNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			// A bounded context: were the log stream reached, it would
			// otherwise never end.
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			defer cancel()
			path := strings.ReplaceAll(tt.path, "{A}", f.hookA.ID)
			req := httptest.NewRequestWithContext(ctx, tt.method, path, strings.NewReader(tt.body))
			req.Header.Set("Authorization", "Bearer "+adminToken)
			rec := httptest.NewRecorder()
			f.h.ServeHTTP(rec, req)
			if rec.Code != 404 || strings.TrimSpace(rec.Body.String()) != tt.want {
				t.Errorf("%d %s, want 404 %s", rec.Code, rec.Body, tt.want)
			}
		})
	}
	// Nothing changed the secrets.
	if got, err := f.st.GetHook(context.Background(), f.hookA.ID); err != nil || len(got.Secrets) != 1 || got.Secrets["API_KEY"] != "abcd-secret-1234" {
		t.Errorf("secrets after the requests: %v %v", got.Secrets, err)
	}
	// The same routes, spelt plainly or with an ordinary character
	// encoded, are served.
	first := fmt.Sprintf("%%%02X", f.hookA.ID[0])
	for _, path := range []string{"/api/v2/hooks/{A}/secrets", "/api/v2/hooks/" + first + f.hookA.ID[1:] + "/secrets"} {
		if r := f.do("GET", path, adminToken, ""); r.status != 200 || r.body != `{"API_KEY":"_VALUE_NOT_SHOWN_"}`+"\n" {
			t.Errorf("GET %s: %d %s", path, r.status, r.body)
		}
	}
}

// awkwardSecret has every character encoders escape.
const awkwardSecret = "k'e\"y\\1\n2\u2028<3>&é\x01\u2029end"

// TestRunRedaction runs hooks that put the secret into the envelope, the
// outcome, the console output and the error, and checks that no form of it
// is anywhere in the answer: neither in any decoded string (JSON inside
// strings decoded too) nor in the text of the body.
func TestRunRedaction(t *testing.T) {
	tests := []struct{ desc, script string }{
		{"every console form and an error", enginetest.ReadFile(t, "../testdata/hooks/redaction/every-form.js")},
		{"the secret in the metadata, as a key and beside raw separators", `module.exports = function (user, context, cb) {
  const s = context.webtask.secrets.S;
  cb(null, { user: { app_metadata: { k: s, [s]: 'v', list: ['\u2028' + s + '\u2029', { deep: s }] }, user_metadata: { s } } });
};`},
		{"a thrown error", enginetest.ReadFile(t, "../testdata/hooks/redaction/throws-secret.js")},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			f := newFixture(t)
			ctx := context.Background()
			hk, err := f.st.CreateHook(ctx, &store.Hook{Name: "leaky", TriggerID: "pre-user-registration", Script: tt.script,
				Secrets: map[string]string{"S": awkwardSecret}})
			if err != nil {
				t.Fatal(err)
			}
			r := f.do("POST", "/hookengine/v1/hooks/"+hk.ID+"/run", runToken, enginetest.ReadFile(t, "../testdata/inputs/pre-user-registration.json"))
			if r.status != 200 {
				t.Fatalf("%d %s", r.status, r.body)
			}
			forms := redact.Forms(awkwardSecret)
			marshalled, _ := json.Marshal(awkwardSecret)
			forms = append(forms, strings.Trim(string(marshalled), `"`))
			for _, form := range forms {
				if strings.Contains(r.body, form) {
					t.Errorf("the body holds the secret as %q: %s", form, r.body)
				}
			}
			var body any
			if err := json.Unmarshal([]byte(r.body), &body); err != nil {
				t.Fatal(err)
			}
			n := 0
			walkStrings(body, func(s string) {
				if strings.Contains(s, awkwardSecret) {
					t.Errorf("a decoded string holds the secret: %q", s)
				}
				if strings.Contains(s, redact.Mask) {
					n++
				}
			})
			if n == 0 {
				t.Errorf("nothing was redacted: %s", r.body)
			}
		})
	}
}

// walkStrings calls fn with every string in v, keys included, and walks the
// JSON documents strings hold.
func walkStrings(v any, fn func(string)) {
	switch x := v.(type) {
	case string:
		fn(x)
		var inner any
		if json.Unmarshal([]byte(x), &inner) == nil {
			if _, isString := inner.(string); !isString {
				walkStrings(inner, fn)
			}
		}
	case []any:
		for _, e := range x {
			walkStrings(e, fn)
		}
	case map[string]any:
		for k, e := range x {
			fn(k)
			walkStrings(e, fn)
		}
	}
}

// TestRunTimeout checks that a run request is answered by the handler's
// run timeout: the run's context ends then and the engine stops the run,
// which never ends by itself.
func TestRunTimeout(t *testing.T) {
	f := newFixture(t)
	e := enginetest.New(t, engine.WithLimits(engine.Limits{WallTime: time.Minute}))
	f.h = mgmtapi.NewHandler(f.st, mgmtapi.WithAuthenticator(testAuth(t)), mgmtapi.WithRunner(runner.New(f.st, e)),
		mgmtapi.WithRunTimeout(200*time.Millisecond))
	hk, err := f.st.CreateHook(context.Background(), &store.Hook{Name: "forever", TriggerID: "pre-user-registration",
		Script: "module.exports = function (user, context, cb) { setInterval(function () {}, 10); };"})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	r := f.do("POST", "/hookengine/v1/hooks/"+hk.ID+"/run", runToken, enginetest.ReadFile(t, "../testdata/inputs/pre-user-registration.json"))
	took := time.Since(start)
	// The engine stops the run when its context ends (200, the cancelled
	// run); were it slower than RunGrace, the answer is the 504.
	var res mgmtapi.RunResult
	cancelled := r.status == 200 && json.Unmarshal([]byte(r.body), &res) == nil && res.Status == "error" &&
		strings.Contains(string(res.Data), `"code":"cancelled"`)
	if !cancelled && r.status != http.StatusGatewayTimeout {
		t.Errorf("answer %d %s, want 200 with a cancelled run, or 504", r.status, r.body)
	}
	if max := 200*time.Millisecond + mgmtapi.RunGrace + time.Second; took < 200*time.Millisecond || took > max {
		t.Errorf("answered after %v, want between the run timeout and %v", took, max)
	}
}

// TestRunTimeoutStuckEngine checks the answer when the engine does not
// return a run at all (a native call that never yields): 504 by the run
// timeout plus RunGrace.
func TestRunTimeoutStuckEngine(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	f := newFixture(t)
	h := mgmtapi.NewHandlerForTest(f.st, func(ctx context.Context, _ *store.Hook, _ any) (*engine.Result, error) {
		<-release // ignores ctx, as a stuck runtime would
		return nil, ctx.Err()
	}, mgmtapi.WithAuthenticator(testAuth(t)), mgmtapi.WithRunTimeout(100*time.Millisecond))
	req := httptest.NewRequest("POST", "/hookengine/v1/hooks/"+f.hookA.ID+"/run", strings.NewReader(`{"user":{}}`))
	req.Header.Set("Authorization", "Bearer "+runToken)
	rec := httptest.NewRecorder()
	start := time.Now()
	h.ServeHTTP(rec, req)
	took := time.Since(start)
	if want := errBody(504, "The hook run did not end by its deadline; it was abandoned.", mgmtapi.CodeRunTimeout); rec.Code != http.StatusGatewayTimeout || strings.TrimSpace(rec.Body.String()) != want {
		t.Errorf("answer %d %s, want 504 %s", rec.Code, rec.Body, want)
	}
	if min, max := 100*time.Millisecond+mgmtapi.RunGrace, 100*time.Millisecond+mgmtapi.RunGrace+2*time.Second; took < min || took > max {
		t.Errorf("answered after %v, want between %v and %v", took, min, max)
	}
}

// TestLogStreamRedaction runs a hook that prints its secret in every form
// the console gives it, and throws it, and reads the run's lines on the
// log stream: no line, field or encoding of one holds the secret.
func TestLogStreamRedaction(t *testing.T) {
	f := newLogsFixture(t, mgmtapi.RunLogsConfig{Heartbeat: time.Minute})
	hk, err := f.st.CreateHook(context.Background(), &store.Hook{Name: "leaky-logs", TriggerID: "pre-user-registration",
		Script: enginetest.ReadFile(t, "../testdata/hooks/redaction/every-form.js"), Secrets: map[string]string{"S": awkwardSecret}})
	if err != nil {
		t.Fatal(err)
	}
	c := openStream(t, f.srv.URL+"/hookengine/v1/hooks/"+hk.ID+"/logs", runToken)
	if ev := c.next(); ev.event != "ready" {
		t.Fatalf("first event %+v", ev)
	}
	if r := f.do("POST", "/hookengine/v1/hooks/"+hk.ID+"/run", runToken, enginetest.ReadFile(t, "../testdata/inputs/pre-user-registration.json")); r.status != 200 {
		t.Fatalf("run: %d %s", r.status, r.body)
	}
	forms := redact.Forms(awkwardSecret)
	marshalled, _ := json.Marshal(awkwardSecret)
	forms = append(forms, strings.Trim(string(marshalled), `"`))
	lines, redacted := 0, 0
	for {
		ev := c.next()
		if ev.comment {
			continue
		}
		lines++
		for _, form := range forms {
			if strings.Contains(ev.data, form) {
				t.Errorf("event holds the secret as %q: %s", form, ev.data)
			}
		}
		var data any
		if err := json.Unmarshal([]byte(ev.data), &data); err != nil {
			t.Fatalf("event %s: %v", ev.data, err)
		}
		walkStrings(data, func(s string) {
			if strings.Contains(s, awkwardSecret) {
				t.Errorf("a decoded string of an event holds the secret: %q", s)
			}
			if strings.Contains(s, redact.Mask) {
				redacted++
			}
		})
		if strings.Contains(ev.data, `"message":"hook run finished"`) {
			break
		}
	}
	if redacted < 16 {
		t.Errorf("%d strings of %d events show %s, want every console line's", redacted, lines, redact.Mask)
	}
}
