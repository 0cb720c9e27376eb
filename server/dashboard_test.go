package server_test

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/hookengine/hookengine/dashboard"
	"github.com/hookengine/hookengine/mgmtapi"
	"github.com/hookengine/hookengine/server"
	"github.com/hookengine/hookengine/store"
)

// TestDashboardAndDevToken checks what New adds for the Hooks page: the page
// itself, / leading to it, and the development token for its sign-in link.
func TestDashboardAndDevToken(t *testing.T) {
	t.Setenv(server.EnvToken, "")
	t.Setenv(server.EnvSecretsKey, "")
	ctx := context.Background()
	dir := t.TempDir()
	var announce bytes.Buffer
	srv, err := server.New(ctx, server.Config{DataDir: dir, Dev: true}, nil, &announce)
	if err != nil {
		t.Fatal(err)
	}
	tok := srv.DevToken()
	if !strings.HasPrefix(tok, "hkdev_") || !strings.Contains(announce.String(), tok) {
		t.Errorf("DevToken %q, announced %q", tok, announce.String())
	}
	h := srv.Handler()
	for _, tt := range []struct {
		method, path string
		status       int
		location     string
	}{
		{"GET", "/", http.StatusFound, dashboard.Path},
		{"GET", "/dashboard", http.StatusMovedPermanently, dashboard.Path},
		{"GET", "/dashboard/", http.StatusOK, ""},
		{"GET", "/dashboard/points.json", http.StatusOK, ""},
		{"GET", "/healthz", http.StatusOK, ""},
		{"GET", "/api/v2/hooks", http.StatusUnauthorized, ""},
		{"POST", "/", http.StatusNotFound, ""}, // the API's 404
	} {
		rec := do(h, tt.method, tt.path, "")
		if rec.status != tt.status || rec.header.Get("Location") != tt.location {
			t.Errorf("%s %s: %d %q", tt.method, tt.path, rec.status, rec.header.Get("Location"))
		}
	}
	if rec := do(h, "GET", "/dashboard/", ""); rec.header.Get("Content-Security-Policy") != dashboard.ContentSecurityPolicy {
		t.Errorf("the page's CSP: %q", rec.header.Get("Content-Security-Policy"))
	}
	// The token works with the API, as the page uses it.
	if rec := do(h, "GET", "/api/v2/hooks", tok); rec.status != http.StatusOK {
		t.Errorf("the development token: %d", rec.status)
	}
	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}
	// At the next start only the digest is left: no token to show.
	srv, err = server.New(ctx, server.Config{DataDir: dir, Dev: true}, nil, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	if srv.DevToken() != "" {
		t.Error("DevToken at the second start")
	}
}

type recorded struct {
	status int
	header http.Header
}

func do(h http.Handler, method, path, token string) recorded {
	req, _ := http.NewRequest(method, path, nil)
	req.RequestURI = path
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	w := &headerRecorder{header: http.Header{}}
	h.ServeHTTP(w, req)
	return recorded{status: w.status, header: w.header}
}

// headerRecorder keeps the status and headers of an answer.
type headerRecorder struct {
	header http.Header
	status int
}

func (r *headerRecorder) Header() http.Header { return r.header }
func (r *headerRecorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
}
func (r *headerRecorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return len(b), nil
}

// TestLogStreamOnServer checks the real-time log stream through the real
// server: it outlives the server's read and write timeouts, carries the
// console line of a run of its hook, and ends at shutdown without making
// the shutdown wait.
func TestLogStreamOnServer(t *testing.T) {
	t.Setenv(server.EnvToken, "stream-test-token")
	t.Setenv(server.EnvSecretsKey, store.EncodeKey(store.GenerateKey()))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// The timeouts hold for every request, the API calls below included:
	// on a loaded machine with the race detector a run through the API
	// takes several hundred milliseconds, and one past the write timeout
	// gets its connection closed (EOF).
	const timeout = 2 * time.Second
	cfg := server.Config{DataDir: t.TempDir(), Addr: "127.0.0.1:0",
		ReadTimeout: server.Duration(timeout), WriteTimeout: server.Duration(timeout)}
	srv, err := server.New(ctx, cfg, nil, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	base, done := serve(t, ctx, srv)
	c, _ := mgmtapi.NewClient(base, "stream-test-token", nil)
	enabled := true
	h, err := c.CreateHook(ctx, mgmtapi.CreateHookRequest{Name: "logger", TriggerID: "post-change-password", Enabled: &enabled,
		Script: `module.exports = function (user, context, cb) { console.log('password changed for', user.id); cb(); };`})
	if err != nil {
		t.Fatal(err)
	}

	req, _ := http.NewRequest("GET", base+"/hookengine/v1/hooks/"+h.ID+"/logs", nil)
	req.Header.Set("Authorization", "Bearer stream-test-token")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	lines := make(chan string, 100)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(resp.Body)
		for sc.Scan() {
			lines <- sc.Text()
		}
	}()
	waitFor := func(prefix string) string {
		t.Helper()
		timeout := time.After(10 * time.Second)
		for {
			select {
			case l, ok := <-lines:
				if !ok {
					t.Fatalf("the stream ended before %q", prefix)
				}
				if strings.HasPrefix(l, prefix) {
					return l
				}
			case <-timeout:
				t.Fatalf("no %q within 10s", prefix)
			}
		}
	}
	waitFor("event: ready")
	// Well past the read and write timeouts, the stream is still there.
	time.Sleep(timeout + timeout/2)
	res, err := c.RunTrigger(ctx, "post-change-password", map[string]any{
		"user": map[string]any{"id": "u-42"}, "context": map[string]any{"connection": map[string]any{}}})
	if err != nil {
		t.Fatal(err)
	}
	if l := waitFor(`data: {"time"`); !strings.Contains(l, `"message":"password changed for u-42"`) || !strings.Contains(l, `"execution_id":"`+res.ExecutionID+`"`) {
		t.Errorf("log event %s", l)
	}

	// Shutting down ends the stream at once; Serve does not wait for it.
	start := time.Now()
	cancel()
	waitFor("event: end")
	if err := <-done; err != nil {
		t.Errorf("Serve: %v", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("shutdown took %v with a stream open", d)
	}
	http.DefaultClient.CloseIdleConnections()
}
