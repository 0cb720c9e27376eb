package server_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	coltracepb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"
	"google.golang.org/protobuf/proto"

	"github.com/hookengine/hookengine/internal/testenv"
	"github.com/hookengine/hookengine/mgmtapi"
	"github.com/hookengine/hookengine/server"
	"github.com/hookengine/hookengine/store"
	"github.com/hookengine/hookengine/triggers"
)

func TestLoadConfig(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "c.yaml")
	os.WriteFile(path, []byte(`data_dir: /var/lib/hookengine
addr: 127.0.0.1:9000
secrets_key_file: /etc/hookengine/key
write_timeout: 45s
hook_wall_time: 5s
tokens:
  - name: ci
    sha256: 0000000000000000000000000000000000000000000000000000000000000000
    scopes: [read:hooks]
jwt:
  audience: https://hooks.example/
  hs256_secret_file: /etc/hookengine/hs256
`), 0o600)
	c, err := server.LoadConfig(path)
	if err != nil {
		t.Fatal(err)
	}
	if c.DataDir != "/var/lib/hookengine" || c.Addr != "127.0.0.1:9000" || time.Duration(c.WriteTimeout) != 45*time.Second ||
		time.Duration(c.HookWallTime) != 5*time.Second || len(c.Tokens) != 1 || c.Tokens[0].Scopes[0] != "read:hooks" ||
		c.JWT == nil || c.JWT.Audience != "https://hooks.example/" {
		t.Errorf("config %+v", c)
	}
	for name, content := range map[string]string{
		"unknown key":  "data_dirr: x\n",
		"bad duration": "read_timeout: soon\n",
		"negative":     "read_timeout: -1s\n",
		"not yaml":     "[\n",
	} {
		os.WriteFile(path, []byte(content), 0o600)
		if _, err := server.LoadConfig(path); err == nil {
			t.Errorf("%s: LoadConfig succeeded", name)
		}
	}
	os.WriteFile(path, nil, 0o600)
	if _, err := server.LoadConfig(path); err != nil {
		t.Errorf("empty file: %v", err)
	}
}

func TestOpenStoreKeys(t *testing.T) {
	ctx := context.Background()
	t.Setenv(server.EnvSecretsKey, "")
	dir := t.TempDir()
	if _, err := server.OpenStore(ctx, server.Config{DataDir: dir}, nil); !errors.Is(err, server.ErrNoSecretsKey) {
		t.Errorf("without a key: %v", err)
	}
	// Development mode: a key file, a loud warning at every start, the
	// same key the next time.
	core, logs := observer.New(zapcore.WarnLevel)
	for range 2 {
		st, err := server.OpenStore(ctx, server.Config{DataDir: dir, Dev: true}, zap.New(core))
		if err != nil {
			t.Fatal(err)
		}
		st.Close()
	}
	if logs.FilterMessageSnippet("DEVELOPMENT MODE").Len() != 2 {
		t.Errorf("development mode warnings: %v", logs.All())
	}
	// The database now needs that key: another one is refused.
	key := store.EncodeKey(store.GenerateKey())
	t.Setenv(server.EnvSecretsKey, key)
	if _, err := server.OpenStore(ctx, server.Config{DataDir: dir}, nil); !errors.Is(err, store.ErrWrongKey) {
		t.Errorf("another key: %v", err)
	}
	// Precedence: secrets_key, then secrets_key_file, then the environment.
	other := t.TempDir()
	keyFile := filepath.Join(other, "key")
	os.WriteFile(keyFile, []byte(key+"\n"), 0o600)
	for _, cfg := range []server.Config{
		{DataDir: other},
		{DataDir: other, SecretsKeyFile: keyFile},
		{DataDir: other, SecretsKey: key},
	} {
		st, err := server.OpenStore(ctx, cfg, nil)
		if err != nil {
			t.Fatalf("%+v: %v", cfg, err)
		}
		st.Close()
	}
	if _, err := server.OpenStore(ctx, server.Config{DataDir: other, SecretsKey: "bad"}, nil); !errors.Is(err, store.ErrBadKey) {
		t.Errorf("bad key: %v", err)
	}
}

var devToken = regexp.MustCompile(`\n  (hkdev_\S+)\n`)

func TestAuthenticator(t *testing.T) {
	ctx := context.Background()
	t.Setenv(server.EnvToken, "")
	dir := t.TempDir()

	// No tokens configured: a development token, announced once.
	var announce bytes.Buffer
	a, err := server.Authenticator(server.Config{DataDir: dir}, nil, &announce)
	if err != nil {
		t.Fatal(err)
	}
	m := devToken.FindStringSubmatch(announce.String())
	if m == nil {
		t.Fatalf("announced %q", announce.String())
	}
	if p, err := a.Authenticate(ctx, m[1]); err != nil || !p.HasScope(mgmtapi.ScopeRun) {
		t.Errorf("development token: %v, %v", p, err)
	}
	announce.Reset()
	a, _ = server.Authenticator(server.Config{DataDir: dir}, nil, &announce)
	if announce.Len() != 0 {
		t.Error("the development token was announced twice")
	}
	if _, err := a.Authenticate(ctx, m[1]); err != nil {
		t.Errorf("development token after a restart: %v", err)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, server.DevTokenFile)); strings.Contains(string(b), m[1]) {
		t.Error("the token itself is stored")
	}

	// Configured tokens, the environment and JWTs replace it.
	t.Setenv(server.EnvToken, "from-env")
	rsaKey, _ := rsa.GenerateKey(rand.Reader, 2048)
	der, _ := x509.MarshalPKIXPublicKey(&rsaKey.PublicKey)
	pemFile := filepath.Join(dir, "pub.pem")
	os.WriteFile(pemFile, pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}), 0o600)
	hsFile := filepath.Join(dir, "hs256")
	os.WriteFile(hsFile, []byte("0123456789abcdef0123456789abcdef\n"), 0o600)
	cfg := server.Config{DataDir: dir,
		Tokens: []mgmtapi.StaticToken{{Name: "reader", Token: "reader-token", Scopes: []string{mgmtapi.ScopeRead}}},
		JWT:    &server.JWTConfig{Audience: "aud", HS256SecretFile: hsFile, RS256PublicKeyFiles: map[string]string{"k": pemFile}},
	}
	a, err = server.Authenticator(cfg, nil, &announce)
	if err != nil {
		t.Fatal(err)
	}
	claims := jwt.MapClaims{"sub": "svc", "aud": "aud", "exp": time.Now().Add(time.Minute).Unix(), "scope": "read:hooks"}
	hs, _ := jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString([]byte("0123456789abcdef0123456789abcdef"))
	rs, _ := jwt.NewWithClaims(jwt.SigningMethodRS256, claims).SignedString(rsaKey)
	for tok, ok := range map[string]bool{"reader-token": true, "from-env": true, hs: true, rs: true, m[1]: false, "": false} {
		if _, err := a.Authenticate(ctx, tok); (err == nil) != ok {
			t.Errorf("token %.12s...: %v, want ok=%v", tok, err, ok)
		}
	}
	if _, err := server.Authenticator(server.Config{DataDir: dir, JWT: &server.JWTConfig{Audience: "a", HS256SecretFile: "/nonexistent"}}, nil, nil); err == nil {
		t.Error("a missing secret file was accepted")
	}
}

// TestServe starts a server, serves a request, and shuts down when the
// context is cancelled, waiting for a slow hook run in progress.
func TestServe(t *testing.T) {
	t.Setenv(server.EnvToken, "serve-test-token")
	t.Setenv(server.EnvSecretsKey, store.EncodeKey(store.GenerateKey()))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	core, logs := observer.New(zapcore.InfoLevel)
	srv, err := server.New(ctx, server.Config{DataDir: t.TempDir(), Addr: "127.0.0.1:0"}, zap.New(core), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	base, done := serve(t, ctx, srv)
	c, _ := mgmtapi.NewClient(base, "serve-test-token", nil)
	slow := `module.exports = function (u, c, cb) { console.log('hook started'); setTimeout(function () { cb(null, { user: { app_metadata: { ok: true } } }); }, 300); };`
	enabled := true
	if _, err := c.CreateHook(ctx, mgmtapi.CreateHookRequest{Name: "slow", Script: slow, TriggerID: "pre-user-registration", Enabled: &enabled}); err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get(base + "/healthz")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("healthz: %v %v", resp, err)
	}
	resp.Body.Close()
	result := make(chan error, 1)
	go func() {
		res, err := c.RunTrigger(context.Background(), "pre-user-registration",
			map[string]any{"user": map[string]any{}, "context": map[string]any{"connection": map[string]any{}}})
		if err == nil && !strings.Contains(string(res.Data), `"ok":true`) {
			err = errors.New(string(res.Data))
		}
		result <- err
	}()
	// Shut down once the hook runs.
	for logs.FilterMessage("hook started").Len() == 0 {
		time.Sleep(time.Millisecond)
	}
	cancel()
	if err := <-result; err != nil {
		t.Errorf("the run in progress: %v", err)
	}
	if err := <-done; err != nil {
		t.Errorf("Serve: %v", err)
	}
	if _, err := http.Get(base + "/healthz"); err == nil {
		t.Error("still serving after shutdown")
	}
	http.DefaultClient.CloseIdleConnections()
}

// TestOpenStoreKinds opens each kind of store the configuration names, and
// refuses the others.
func TestOpenStoreKinds(t *testing.T) {
	ctx := context.Background()
	key := store.EncodeKey(store.GenerateKey())
	pgURL, schema := testenv.PostgresSchema(t)
	tests := []struct {
		desc    string
		cfg     server.Config
		wantErr bool
		want    string
	}{
		{"default", server.Config{}, false, "*store.SQLite"},
		{"sqlite", server.Config{Store: "sqlite"}, false, "*store.SQLite"},
		{"postgres", server.Config{Store: pgURL, StoreSchema: schema}, false, "*store.Postgres"},
		{"mysql", server.Config{Store: "mysql://u:hunter2@db/x"}, true, ""},
		{"bad schema", server.Config{Store: pgURL, StoreSchema: "x y"}, true, ""},
	}
	for _, tt := range tests {
		tt.cfg.DataDir, tt.cfg.SecretsKey = t.TempDir(), key
		st, err := server.OpenStore(ctx, tt.cfg, nil)
		if tt.wantErr {
			if err == nil {
				st.Close()
				t.Errorf("%s: OpenStore succeeded", tt.desc)
			} else if strings.Contains(err.Error(), "hunter2") {
				t.Errorf("%s: the error shows the password: %v", tt.desc, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", tt.desc, err)
			continue
		}
		if got := fmt.Sprintf("%T", st); got != tt.want {
			t.Errorf("%s: %s, want %s", tt.desc, got, tt.want)
		}
		st.Close()
	}
}

// TestMetricsListener serves the metrics on their own listener: a run
// shows in them, and the API's listener does not serve them.
func TestMetricsListener(t *testing.T) {
	t.Setenv(server.EnvToken, "metrics-test-token")
	t.Setenv(server.EnvSecretsKey, store.EncodeKey(store.GenerateKey()))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	srv, err := server.New(ctx, server.Config{DataDir: t.TempDir(), Addr: "127.0.0.1:0", MetricsAddr: "127.0.0.1:0"}, nil, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := srv.Listen()
	if err != nil {
		srv.Close()
		t.Fatal(err)
	}
	mln, err := srv.ListenMetrics()
	if err != nil || mln == nil {
		srv.Close()
		t.Fatalf("ListenMetrics: %v, %v", mln, err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, ln) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Serve: %v", err)
		}
	}()
	base := "http://" + ln.Addr().String()
	c, _ := mgmtapi.NewClient(base, "metrics-test-token", nil)
	enabled := true
	if _, err := c.CreateHook(ctx, mgmtapi.CreateHookRequest{Name: "counted", TriggerID: "pre-user-registration", Enabled: &enabled,
		Script: `module.exports = function (u, c, cb) { cb(null, {}); };`}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.RunTrigger(ctx, "pre-user-registration",
		map[string]any{"user": map[string]any{}, "context": map[string]any{"connection": map[string]any{}}}); err != nil {
		t.Fatal(err)
	}
	get := func(url string) (int, string) {
		resp, err := http.Get(url)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	code, body := get("http://" + mln.Addr().String() + "/metrics")
	for _, want := range []string{
		`hookengine_runs_total{hook="counted",outcome="success",trigger="pre-user-registration"} 1`,
		`hookengine_runs_by_runtime_total{runtime="cold"} 1`,
		"hookengine_cached_programs 1",
		"go_goroutines",
	} {
		if code != 200 || !strings.Contains(body, want) {
			t.Errorf("metrics: %d, no %q in:\n%s", code, want, body)
		}
	}
	// The run took one of the two spare runtimes (spare_runtimes'
	// default); the background goroutine may have rebuilt it already.
	if !regexp.MustCompile(`(?m)^hookengine_spare_runtimes [12]$`).MatchString(body) {
		t.Errorf("metrics: no hookengine_spare_runtimes 1 or 2 in:\n%s", body)
	}
	if code, _ := get(base + "/metrics"); code != http.StatusNotFound && code != http.StatusUnauthorized {
		t.Errorf("the API's listener answered /metrics with %d", code)
	}
	http.DefaultClient.CloseIdleConnections()
}

// TestTracingToOTLP sends a run request carrying a traceparent to a server
// whose spans go to an OTLP/HTTP receiver: the run's span arrives, in the
// caller's trace, by the end of the shutdown at the latest.
func TestTracingToOTLP(t *testing.T) {
	spans := make(chan *tracepb.Span, 100)
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		var req coltracepb.ExportTraceServiceRequest
		if r.URL.Path != "/v1/traces" || proto.Unmarshal(b, &req) != nil {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		for _, rs := range req.GetResourceSpans() {
			for _, ss := range rs.GetScopeSpans() {
				for _, sp := range ss.GetSpans() {
					spans <- sp
				}
			}
		}
		w.Header().Set("Content-Type", "application/x-protobuf")
	}))
	defer receiver.Close()
	t.Setenv(server.EnvToken, "trace-test-token")
	t.Setenv(server.EnvSecretsKey, store.EncodeKey(store.GenerateKey()))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	srv, err := server.New(ctx, server.Config{DataDir: t.TempDir(), Addr: "127.0.0.1:0", OTLPEndpoint: receiver.URL}, nil, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	base, done := serve(t, ctx, srv)
	c, _ := mgmtapi.NewClient(base, "trace-test-token", nil)
	enabled := true
	if _, err := c.CreateHook(ctx, mgmtapi.CreateHookRequest{Name: "traced", TriggerID: "pre-user-registration", Enabled: &enabled,
		Script: `module.exports = function (u, c, cb) { cb(null, {}); };`}); err != nil {
		t.Fatal(err)
	}
	const traceID = "4bf92f3577b34da6a3ce929d0e0e4736"
	req, _ := http.NewRequest("POST", base+"/hookengine/v1/triggers/pre-user-registration/run",
		strings.NewReader(`{"user":{},"context":{"connection":{}}}`))
	req.Header.Set("Authorization", "Bearer trace-test-token")
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Traceparent", "00-"+traceID+"-00f067aa0ba902b7-01")
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("run: %v %v", resp, err)
	}
	resp.Body.Close()
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Serve: %v", err)
	}
	close(spans)
	found := false
	for sp := range spans {
		if sp.GetName() == "hookengine.run" && fmt.Sprintf("%x", sp.GetTraceId()) == traceID {
			found = true
		}
	}
	if !found {
		t.Error("no hookengine.run span of the caller's trace reached the receiver")
	}
	http.DefaultClient.CloseIdleConnections()
}

// TestReplicasDropChangedHooks runs two servers on one PostgreSQL schema: a
// hook changed through one makes the other drop the hook's compiled
// program and warm runtime, which its metrics show.
func TestReplicasDropChangedHooks(t *testing.T) {
	pgURL, schema := testenv.PostgresSchema(t)
	t.Setenv(server.EnvToken, "replica-test-token")
	cfg := server.Config{DataDir: t.TempDir(), SecretsKey: store.EncodeKey(store.GenerateKey()), Store: pgURL, StoreSchema: schema}
	ctx := context.Background()
	// The second server starts after the hook exists: the only change it
	// hears of is the one the test makes.
	newServer := func() *server.Server {
		srv, err := server.New(ctx, cfg, nil, io.Discard)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { srv.Close() })
		return srv
	}
	srvs := []*server.Server{newServer()}
	h, err := srvs[0].Store().CreateHook(ctx, &store.Hook{Name: "shared", TriggerID: "pre-user-registration", Enabled: true,
		Script: `module.exports = function (u, c, cb) { cb(null, {}); };`})
	if err != nil {
		t.Fatal(err)
	}
	srvs = append(srvs, newServer())
	gauge := metricValue
	rec := httptest.NewRecorder()
	req := httptest.NewRequest("POST", "/hookengine/v1/triggers/pre-user-registration/run", strings.NewReader(`{"user":{},"context":{"connection":{}}}`))
	req.Header.Set("Authorization", "Bearer replica-test-token")
	req.Header.Set("Content-Type", "application/json")
	srvs[1].Handler().ServeHTTP(rec, req)
	if rec.Code != 200 {
		t.Fatalf("run on the second server: %d %s", rec.Code, rec.Body)
	}
	// The runtime returns to its pool just after the answer.
	for deadline := time.Now().Add(20 * time.Second); gauge(srvs[1], "hookengine_cached_programs") != "1" || gauge(srvs[1], "hookengine_idle_runtimes") != "1"; {
		if time.Now().After(deadline) {
			t.Fatalf("after a run on the second server: %s programs, %s idle runtimes, want 1 and 1",
				gauge(srvs[1], "hookengine_cached_programs"), gauge(srvs[1], "hookengine_idle_runtimes"))
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err := srvs[0].Store().AddSecrets(ctx, h.ID, map[string]string{"NEW": "v"}); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(20 * time.Second); gauge(srvs[1], "hookengine_cached_programs") != "0" || gauge(srvs[1], "hookengine_idle_runtimes") != "0"; {
		if time.Now().After(deadline) {
			t.Fatalf("the second server kept the changed hook's program (%s) and runtime (%s)",
				gauge(srvs[1], "hookengine_cached_programs"), gauge(srvs[1], "hookengine_idle_runtimes"))
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestIdleRuntimesBudget: idle_runtimes reaches the engine. With room for
// one warm runtime, a second hook's run evicts the first hook's runtime,
// which the metrics count.
func TestIdleRuntimesBudget(t *testing.T) {
	t.Setenv(server.EnvToken, "budget-test-token")
	cfg := server.Config{DataDir: t.TempDir(), SecretsKey: store.EncodeKey(store.GenerateKey()), IdleRuntimes: 1, IdleRuntimesPerHook: 1}
	ctx := context.Background()
	srv, err := server.New(ctx, cfg, nil, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	metric := func(name string) string { return metricValue(srv, name) }
	runs := []struct{ trigger, input string }{
		{"pre-user-registration", `{"user":{},"context":{"connection":{}}}`},
		{"post-change-password", `{"user":{"id":"u1","email":"a@example.com"},"context":{"connection":{"id":"c","name":"n","tenant":"t"}}}`},
	}
	for i, r := range runs {
		if _, err := srv.Store().CreateHook(ctx, &store.Hook{Name: "budget-" + r.trigger, TriggerID: triggers.ID(r.trigger), Enabled: true,
			Script: `module.exports = function (a, b, cb) { cb(null, {}); };`}); err != nil {
			t.Fatal(err)
		}
		rec := httptest.NewRecorder()
		req := httptest.NewRequest("POST", "/hookengine/v1/triggers/"+r.trigger+"/run", strings.NewReader(r.input))
		req.Header.Set("Authorization", "Bearer budget-test-token")
		req.Header.Set("Content-Type", "application/json")
		srv.Handler().ServeHTTP(rec, req)
		if rec.Code != 200 {
			t.Fatalf("run of %s: %d %s", r.trigger, rec.Code, rec.Body)
		}
		// The runtime returns to its pool just after the answer.
		want := strconv.Itoa(i)
		for deadline := time.Now().Add(20 * time.Second); metric("hookengine_idle_runtimes") != "1" || metric("hookengine_evicted_runtimes_total") != want; {
			if time.Now().After(deadline) {
				t.Fatalf("after the run of %s: %s idle runtimes and %s evicted, want 1 and %s", r.trigger,
					metric("hookengine_idle_runtimes"), metric("hookengine_evicted_runtimes_total"), want)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
}

// metricValue returns the value of metric name (without labels) that srv's
// metrics handler serves, or "" when it serves none.
func metricValue(srv *server.Server, name string) string {
	rec := httptest.NewRecorder()
	srv.MetricsHandler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	for _, line := range strings.Split(rec.Body.String(), "\n") {
		if v, ok := strings.CutPrefix(line, name+" "); ok {
			return v
		}
	}
	return ""
}
