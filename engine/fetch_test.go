package engine_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hookengine/hookengine/engine"
	"github.com/hookengine/hookengine/enginetest"
	"github.com/hookengine/hookengine/sandbox/fetch"
	"github.com/hookengine/hookengine/triggers"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
)

// allowLocal lets hooks reach test servers on the loopback interface.
var allowLocal = engine.WithFetch(engine.FetchOptions{Options: fetch.Options{Allow: []string{"127.0.0.1"}}})

func TestFetchBasics(t *testing.T) {
	var gotAuth, gotBody, gotType string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/profile":
			gotAuth = r.Header.Get("Authorization")
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("X-RateLimit-Remaining", "41")
			io.WriteString(w, `{"tier":"gold","email":"`+r.URL.Query().Get("email")+`"}`)
		case "/signups":
			b, _ := io.ReadAll(r.Body)
			gotBody, gotType = string(b), r.Header.Get("Content-Type")
			w.WriteHeader(http.StatusCreated)
			w.Write(b)
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	e := enginetest.New(t, allowLocal)
	secrets := map[string]string{"API": srv.URL, "TOKEN": "t0ken-value"}
	in := input(t, triggers.PreUserRegistration)

	res, err := e.Run(context.Background(), engine.Hook{Trigger: triggers.PreUserRegistration, Script: script(t, "fetch/get-json.js"), Secrets: secrets}, in)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"user":{"app_metadata":{"tier":"gold"}},"status":200,"contentType":"application/json","remaining":"41"}`
	if !jsonEqual(t, res.Envelope.Data, want) {
		t.Errorf("got %s\nwant %s", res.Envelope.Data, want)
	}
	if gotAuth != "Bearer t0ken-value" {
		t.Errorf("Authorization = %q", gotAuth)
	}

	res, err = e.Run(context.Background(), engine.Hook{Trigger: triggers.PreUserRegistration, Script: script(t, "fetch/post-then.js"), Secrets: secrets}, in)
	if err != nil {
		t.Fatal(err)
	}
	if !jsonEqual(t, res.Envelope.Data, `{"status":201,"echoed":"{\"email\":\"ada@example.com\"}"}`) {
		t.Errorf("post: %s", res.Envelope.Data)
	}
	if gotBody != `{"email":"ada@example.com"}` || gotType != "application/json" {
		t.Errorf("server got body %q type %q", gotBody, gotType)
	}
	if st := e.FetchStats(); st.Requests != 2 {
		t.Errorf("FetchStats = %+v", st)
	}
}

func TestFetchRefusesLoopbackByDefault(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "secret") }))
	defer srv.Close()
	e := enginetest.New(t)
	res, err := e.Run(context.Background(), engine.Hook{Trigger: triggers.PreUserRegistration, Script: script(t, "fetch/catch-error.js"),
		Secrets: map[string]string{"URL": srv.URL}}, input(t, triggers.PreUserRegistration))
	if err != nil {
		t.Fatal(err)
	}
	d := data(t, res.Envelope.Data)
	if d["name"] != "TypeError" || d["code"] != "ERR_BLOCKED_ADDRESS" || !strings.Contains(d["message"].(string), "loopback address") {
		t.Errorf("got %s", res.Envelope.Data)
	}
}

// Twenty hooks sharing an origin make 200 requests between them; the shared
// throttle keeps every second's requests within the server's limit, so none
// is answered 429.
func TestFetchSharedBudget(t *testing.T) {
	clk := enginetest.NewClock(time.Unix(1_764_158_400, 0))
	srv := enginetest.NewWindowServer(t, clk, 10)
	e := enginetest.New(t, engine.WithClock(clk), allowLocal)
	h := engine.Hook{Trigger: triggers.PreUserRegistration, Script: script(t, "fetch/many.js"),
		Secrets: map[string]string{"API": srv.URL, "N": "10"}, Limits: engine.Limits{WallTime: time.Hour}}
	in := input(t, triggers.PreUserRegistration)
	var results []string
	var mu sync.Mutex
	clk.Drive(20, func() int64 { return e.FetchStats().Waiting }, func(done func()) {
		var wg sync.WaitGroup
		for i := 0; i < 20; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer done()
				res, err := e.Run(context.Background(), h, in)
				mu.Lock()
				defer mu.Unlock()
				if err != nil {
					results = append(results, err.Error())
					return
				}
				results = append(results, string(res.Envelope.Data))
			}()
		}
		wg.Wait()
	})
	for _, r := range results {
		if r != `{"statuses":{"200":10}}` {
			t.Errorf("a run saw %s", r)
		}
	}
	if total, over := srv.Requests(); total != 200 || over != 0 {
		t.Errorf("server got %d requests, %d past the limit", total, over)
	}
	if st := e.FetchStats(); st.Requests != 200 || st.TooManyRequests != 0 || st.Waits == 0 {
		t.Errorf("stats = %+v", st)
	}
}

func TestFetch429(t *testing.T) {
	tests := []struct {
		desc     string
		always   bool
		wall     time.Duration
		want     string
		requests int
	}{
		{"retried after Retry-After", false, time.Minute, `{"ok":true,"status":200}`, 2},
		{"429 forever: retry limit", true, time.Minute, "retries=3", 4},
		{"429 forever: deadline", true, 2500 * time.Millisecond, "retries=2", 3},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			clk := enginetest.NewClock(time.Unix(1_764_158_400, 0))
			var n atomic.Int64
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if n.Add(1) == 1 || tt.always {
					w.Header().Set("Retry-After", "1")
					w.WriteHeader(http.StatusTooManyRequests)
				}
			}))
			defer srv.Close()
			e := enginetest.New(t, engine.WithClock(clk), allowLocal)
			var res *engine.Result
			var err error
			clk.Drive(1, func() int64 { return e.FetchStats().Waiting }, func(done func()) {
				defer done()
				res, err = e.Run(context.Background(), engine.Hook{Trigger: triggers.PreUserRegistration, Script: script(t, "fetch/catch-error.js"),
					Secrets: map[string]string{"URL": srv.URL}, Limits: engine.Limits{WallTime: tt.wall}}, input(t, triggers.PreUserRegistration))
			})
			if err != nil {
				t.Fatal(err)
			}
			if int(n.Load()) != tt.requests {
				t.Errorf("server got %d requests, want %d", n.Load(), tt.requests)
			}
			if !tt.always {
				if !jsonEqual(t, res.Envelope.Data, tt.want) {
					t.Errorf("got %s", res.Envelope.Data)
				}
				return
			}
			d := data(t, res.Envelope.Data)
			if d["name"] != "RateLimitError" || d["isRateLimit"] != true || "retries="+toString(d["retries"]) != tt.want || d["wait"] != float64(1000) {
				t.Errorf("got %s", res.Envelope.Data)
			}
		})
	}
}

func TestFetchRunCaps(t *testing.T) {
	var inflight, peak atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := inflight.Add(1)
		defer inflight.Add(-1)
		for p := peak.Load(); n > p && !peak.CompareAndSwap(p, n); p = peak.Load() {
		}
		time.Sleep(5 * time.Millisecond)
		io.WriteString(w, "ok")
	}))
	defer srv.Close()
	e := enginetest.New(t, engine.WithFetch(engine.FetchOptions{Options: fetch.Options{Allow: []string{"127.0.0.1"}}, MaxRequests: 5, MaxConcurrent: 2}))
	res, err := e.Run(context.Background(), engine.Hook{Trigger: triggers.PreUserRegistration, Secrets: map[string]string{"API": srv.URL}, Script: `
module.exports = async function (user, context, cb) {
  const calls = [];
  for (let i = 0; i < 6; i++) {
    calls.push(fetch(context.webtask.secrets.API + '/' + i).then((r) => r.status, (e) => e.name + ': ' + e.message + ' (' + e.limit + ')'));
  }
  cb(null, await Promise.all(calls));
};`}, input(t, triggers.PreUserRegistration))
	if err != nil {
		t.Fatal(err)
	}
	want := `[200,200,200,200,200,"FetchLimitError: a hook run may make at most 5 requests (5)"]`
	if !jsonEqual(t, res.Envelope.Data, want) {
		t.Errorf("got %s\nwant %s", res.Envelope.Data, want)
	}
	if peak.Load() != 2 {
		t.Errorf("peak concurrency %d, want 2", peak.Load())
	}
}

func TestFetchAbortAndLimits(t *testing.T) {
	var received, cancelled atomic.Int64
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		received.Add(1)
		<-r.Context().Done()
		cancelled.Add(1)
	}))
	defer slow.Close()
	e := enginetest.New(t, allowLocal)
	res, err := e.Run(context.Background(), engine.Hook{Trigger: triggers.PreUserRegistration, Script: script(t, "fetch/abort.js"),
		Secrets: map[string]string{"URL": slow.URL}}, input(t, triggers.PreUserRegistration))
	if err != nil || !jsonEqual(t, res.Envelope.Data, `{"aborted":true,"name":"AbortError","signalAborted":true}`) {
		t.Fatalf("abort: %v %s", err, res.Envelope.Data)
	}
	// A hook stuck on a request ends at its wall-time limit, and the request
	// is cancelled with it.
	start := time.Now()
	_, err = e.Run(context.Background(), engine.Hook{Trigger: triggers.PreUserRegistration, Script: script(t, "fetch/catch-error.js"),
		Secrets: map[string]string{"URL": slow.URL}, Limits: engine.Limits{WallTime: 300 * time.Millisecond}}, input(t, triggers.PreUserRegistration))
	if !errors.Is(err, engine.ErrWallTimeExceeded) || time.Since(start) > 300*time.Millisecond+slack*raceScale {
		t.Errorf("stuck request: err = %v after %v", err, time.Since(start))
	}
	// Every request the server got was cancelled: none is left running.
	for deadline := time.Now().Add(2 * time.Second); cancelled.Load() < received.Load() && time.Now().Before(deadline); {
		time.Sleep(time.Millisecond)
	}
	if received.Load() != 2 || cancelled.Load() != 2 {
		t.Errorf("server got %d requests, saw %d cancelled; want 2 and 2", received.Load(), cancelled.Load())
	}
}

func TestFetchNetworkErrors(t *testing.T) {
	closed := httptest.NewServer(http.NotFoundHandler())
	closedURL := closed.URL
	closedAddr := closed.Listener.Addr().String()
	closed.Close()
	e := enginetest.New(t, allowLocal)
	tests := []struct {
		url, code, message string
	}{
		{closedURL, "ECONNREFUSED", "fetch failed: connect ECONNREFUSED " + closedAddr},
		{"ftp://example.com/x", "ERR_UNSUPPORTED_SCHEME", "fetch failed: "},
		{"http://10.0.0.1/metadata", "ERR_BLOCKED_ADDRESS", "fetch failed: "},
		{"http://169.254.169.254/latest/meta-data/", "ERR_BLOCKED_ADDRESS", "fetch failed: "},
		{"http://[::1]:1/", "ERR_BLOCKED_ADDRESS", "fetch failed: "},
		{"not a url", "ERR_UNSUPPORTED_SCHEME", "fetch failed: "},
		// A placeholder left in a sample is refused, never looked up.
		{"https://<tenant>/api/v2/users", "ERR_INVALID_URL", "Failed to parse URL from https://<tenant>/api/v2/users"},
		{"https://exa mple.com/", "ERR_INVALID_URL", "Failed to parse URL from https://exa mple.com/"},
	}
	for _, tt := range tests {
		res, err := e.Run(context.Background(), engine.Hook{Trigger: triggers.PreUserRegistration, Script: script(t, "fetch/catch-error.js"),
			Secrets: map[string]string{"URL": tt.url}}, input(t, triggers.PreUserRegistration))
		if err != nil {
			t.Fatal(err)
		}
		d := data(t, res.Envelope.Data)
		if d["name"] != "TypeError" || d["code"] != tt.code || d["isTypeError"] != true || !strings.HasPrefix(d["message"].(string), tt.message) {
			t.Errorf("%s: got %s", tt.url, res.Envelope.Data)
		}
	}
}

func TestFetchLogsNoCredentials(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"tier":"gold"}`)
	}))
	defer srv.Close()
	e, logs := enginetest.NewObserved(t, allowLocal)
	secrets := map[string]string{"API": srv.URL, "TOKEN": "t0ken-value-123"}
	if _, err := e.Run(context.Background(), engine.Hook{Trigger: triggers.PreUserRegistration, Script: script(t, "fetch/get-json.js"), Secrets: secrets},
		input(t, triggers.PreUserRegistration)); err != nil {
		t.Fatal(err)
	}
	lines := logs.FilterMessage("fetch").All()
	if len(lines) != 1 {
		t.Fatalf("fetch log lines = %v", logs.All())
	}
	f := lines[0].ContextMap()
	if f["origin"] != srv.URL || f["method"] != "GET" || f["status"] != int64(200) || f["retries"] != int64(0) {
		t.Errorf("fields = %v", f)
	}
	if _, ok := f["queued"]; !ok {
		t.Errorf("no queued field: %v", f)
	}
	for _, entry := range logs.All() {
		if strings.Contains(toString(entry.ContextMap())+entry.Message, "t0ken-value-123") || strings.Contains(toString(entry.ContextMap()), "profile?email") {
			t.Errorf("log line leaks a credential or URL: %v %v", entry.Message, entry.ContextMap())
		}
	}
}

// blockingCore holds the writer of the first "fetch" log entry until
// released, and says when one arrives.
type blockingCore struct {
	zapcore.Core
	writing chan struct{}
	release chan struct{}
	once    sync.Once
}

func (c *blockingCore) Enabled(zapcore.Level) bool { return true }

func (c *blockingCore) With([]zapcore.Field) zapcore.Core { return c }

func (c *blockingCore) Check(ent zapcore.Entry, ce *zapcore.CheckedEntry) *zapcore.CheckedEntry {
	return ce.AddCore(ent, c)
}

func (c *blockingCore) Write(ent zapcore.Entry, _ []zapcore.Field) error {
	if ent.Message == "fetch" {
		c.once.Do(func() { close(c.writing) })
		<-c.release
	}
	return nil
}

func TestCloseWaitsForRequests(t *testing.T) {
	// A request the hook left in flight is cancelled when Close stops its
	// run; Close must not return before the request's goroutine has, or it
	// would log to a logger the host may already have closed.
	arrived := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// The server notices the client going away only once the body is read.
		_, _ = io.Copy(io.Discard, r.Body)
		close(arrived)
		<-r.Context().Done()
	}))
	defer srv.Close()
	core := &blockingCore{Core: zapcore.NewNopCore(), writing: make(chan struct{}), release: make(chan struct{})}
	e, err := engine.New(allowLocal, engine.WithLogger(zap.New(core)))
	if err != nil {
		t.Fatal(err)
	}
	res, err := e.Run(context.Background(), engine.Hook{Trigger: triggers.PreUserRegistration,
		Script: script(t, "fetch/fire-and-forget.js"), Secrets: map[string]string{"API": srv.URL}}, input(t, triggers.PreUserRegistration))
	if err != nil || !res.Envelope.Succeeded() {
		t.Fatalf("Run: got %v, %s; want success", err, res.Envelope.Data)
	}
	<-arrived
	closed := make(chan struct{})
	go func() {
		_ = e.Close()
		close(closed)
	}()
	<-core.writing
	select {
	case <-closed:
		t.Error("Close returned while a request it cancelled was still logging")
	default:
	}
	close(core.release)
	<-closed
}

// TestFetchRunBytes: the response bytes of a run are summed over its
// requests; the response that brings the total over MaxRunBytes, and every
// later fetch of the run, reject with a FetchLimitError. The next run starts
// from zero. A Hook's Limits replace the engine's caps for its runs.
// In-process and in worker processes alike.
func TestFetchRunBytes(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n, err := strconv.Atoi(strings.TrimPrefix(r.URL.Path, "/bytes/"))
		if err != nil || n < 0 {
			http.NotFound(w, r)
			return
		}
		io.WriteString(w, strings.Repeat("x", n))
	}))
	defer srv.Close()
	overBytes := func(n int) string {
		return fmt.Sprintf("FetchLimitError: a hook run may receive at most %d response bytes (%d)", n, n)
	}
	over := overBytes(1000)
	tests := []struct {
		name  string
		max   int64
		hook  engine.Limits // the Hook's own caps
		sizes string
		want  []any
	}{
		{"under", 1000, engine.Limits{}, "400,500", []any{400, 500}},
		{"exactly at the limit", 1000, engine.Limits{}, "400,600,0", []any{400, 600, 0}},
		{"over, then refused", 1000, engine.Limits{}, "400,500,200,10", []any{400, 500, over, over}},
		{"one response over", 1000, engine.Limits{}, "1001,1", []any{over, over}},
		{"default is 32 MiB", 0, engine.Limits{}, "1000000,1000000", []any{1000000, 1000000}},
		{"the hook's higher cap", 1000, engine.Limits{FetchRunBytes: 2000}, "400,500,200", []any{400, 500, 200}},
		{"the hook's lower cap", 0, engine.Limits{FetchRunBytes: 500}, "400,200", []any{400, overBytes(500)}},
		{"the hook's request cap", 1000, engine.Limits{FetchRequests: 1}, "1,1", []any{1, "FetchLimitError: a hook run may make at most 1 requests (1)"}},
	}
	modes := []struct {
		name string
		new  func(t *testing.T, opts ...engine.Option) *engine.Engine
	}{
		{"in-process", func(t *testing.T, opts ...engine.Option) *engine.Engine { return enginetest.New(t, opts...) }},
		{"worker", func(t *testing.T, opts ...engine.Option) *engine.Engine {
			return newWorkerEngine(t, engine.ProcessIsolation{Workers: 1}, opts...)
		}},
	}
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					e := m.new(t, engine.WithFetch(engine.FetchOptions{Options: fetch.Options{Allow: []string{"127.0.0.1"}}, MaxRunBytes: tt.max}))
					h := engine.Hook{Trigger: triggers.PreUserRegistration, Script: script(t, "fetch/run-bytes.js"),
						Secrets: map[string]string{"API": srv.URL, "SIZES": tt.sizes}, Limits: tt.hook}
					want, _ := json.Marshal(tt.want)
					// Twice: the budget is per run.
					for i := 0; i < 2; i++ {
						res, err := e.Run(context.Background(), h, input(t, triggers.PreUserRegistration))
						if err != nil {
							t.Fatal(err)
						}
						if !jsonEqual(t, res.Envelope.Data, string(want)) {
							t.Errorf("run %d: got %s\nwant %s", i, res.Envelope.Data, want)
						}
					}
				})
			}
		})
	}
}

func TestWithFetchRefusesNegativeRunBytes(t *testing.T) {
	_, err := engine.New(engine.WithFetch(engine.FetchOptions{MaxRunBytes: -1}))
	if err == nil || !strings.Contains(err.Error(), "negative fetch limit") {
		t.Errorf("err = %v, want the negative fetch limit error", err)
	}
}
