package modules_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/hookengine/hookengine/engine"
	"github.com/hookengine/hookengine/enginetest"
	"github.com/hookengine/hookengine/sandbox/fetch"
	"github.com/hookengine/hookengine/triggers"
)

// allowLocal lets hooks reach test servers on the loopback interface.
var allowLocal = engine.WithFetch(engine.FetchOptions{Options: fetch.Options{Allow: []string{"127.0.0.1"}}})

// allowTLS lets hooks reach srv, an httptest TLS server, trusting its
// certificate.
func allowTLS(srv *httptest.Server) engine.Option {
	cfg := srv.Client().Transport.(*http.Transport).TLSClientConfig.Clone()
	return engine.WithFetch(engine.FetchOptions{Options: fetch.Options{Allow: []string{"127.0.0.1"}, TLSClientConfig: cfg}})
}

// hookScript returns a hook fixture from testdata/hooks/modules.
func hookScript(t testing.TB, name string) string {
	t.Helper()
	return enginetest.ReadFile(t, filepath.Join("..", "testdata", "hooks", "modules", name))
}

// input returns the sample input of a trigger from testdata/inputs.
func input(t testing.TB, id triggers.ID) string {
	t.Helper()
	return enginetest.ReadFile(t, filepath.Join("..", "testdata", "inputs", string(id)+".json"))
}

// run runs script as a pre-user-registration hook with secrets and returns
// the data it called back with; the hook must succeed.
func run(t testing.TB, e *engine.Engine, script string, secrets map[string]string) map[string]any {
	t.Helper()
	res, err := e.Run(context.Background(), engine.Hook{Name: "test", Trigger: triggers.PreUserRegistration, Script: script, Secrets: secrets},
		input(t, triggers.PreUserRegistration))
	if err != nil {
		t.Fatalf("run: %v (logs %v)", err, res.Logs)
	}
	if !res.Envelope.Succeeded() {
		t.Fatalf("run: hook failed: %s (logs %v)", res.Envelope.Data, res.Logs)
	}
	return decode(t, res.Envelope.Data)
}

// decode decodes JSON object text.
func decode(t testing.TB, raw json.RawMessage) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatalf("%s: %v", raw, err)
	}
	return m
}

// canon re-encodes a JSON value, for comparisons.
func canon(t testing.TB, v any) string {
	t.Helper()
	if s, ok := v.(string); ok {
		var x any
		if err := json.Unmarshal([]byte(s), &x); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
		v = x
	}
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// recorded is a request a test server received.
type recorded struct {
	Method, Path, Query, ContentType, Auth, Body string
	Header                                       http.Header
}

// recorder keeps what a test server receives.
type recorder struct {
	mu   sync.Mutex
	reqs []recorded
	got  chan struct{}
}

func newRecorder() *recorder { return &recorder{got: make(chan struct{}, 1)} }

func (r *recorder) add(req *http.Request, body []byte) {
	r.mu.Lock()
	r.reqs = append(r.reqs, recorded{Method: req.Method, Path: req.URL.Path, Query: req.URL.RawQuery,
		ContentType: req.Header.Get("Content-Type"), Auth: req.Header.Get("Authorization"), Body: string(body), Header: req.Header.Clone()})
	r.mu.Unlock()
	select {
	case r.got <- struct{}{}:
	default: // wait polls all() anyway
	}
}

func (r *recorder) all() []recorded {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]recorded(nil), r.reqs...)
}

// wait waits for n requests in all.
func (r *recorder) wait(t testing.TB, n int) {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for len(r.all()) < n {
		select {
		case <-r.got:
		case <-time.After(10 * time.Millisecond):
		case <-deadline:
			t.Fatalf("got %d requests, want %d", len(r.all()), n)
		}
	}
}

// evalCase is a JavaScript expression and the string it should produce.
type evalCase struct {
	desc, expr, want string
}

// evalCases runs each expression (which may await) in a hook on e and
// compares String(value) with want.
func evalCases(t *testing.T, e *engine.Engine, secrets map[string]string, cases []evalCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.desc, func(t *testing.T) {
			script := "module.exports = async function (user, context, cb) {\n  const secrets = context.webtask.secrets;\n" +
				"  try {\n    const v = await (async () => (" + tc.expr + "))();\n    cb(null, { v: String(v) });\n" +
				"  } catch (err) {\n    cb(null, { v: 'threw ' + (err && err.name) + ': ' + (err && err.message) });\n  }\n};"
			d := run(t, e, script, secrets)
			if got := d["v"]; got != tc.want {
				t.Errorf("%s\n got %q\nwant %q", tc.expr, got, tc.want)
			}
		})
	}
}
