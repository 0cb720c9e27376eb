package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/hookengine/hookengine/mgmtapi"
	"github.com/hookengine/hookengine/store"
)

// syncBuffer is a bytes.Buffer safe for one writer and concurrent readers.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

var (
	servingLine = regexp.MustCompile(`serving the Management API on (https?://[^/\s]+)/api/v2/hooks`)
	tokenLine   = regexp.MustCompile(`(?m)^  (hkdev_\S+)$`)
)

// testServer is hooks serve running in this process.
type testServer struct {
	url, token     string
	stdout, stderr *syncBuffer
	cancel         context.CancelFunc
	done           chan int
}

// startServer runs hooks serve with args until the test ends (or stop).
func startServer(t *testing.T, args ...string) *testServer {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	s := &testServer{stdout: &syncBuffer{}, stderr: &syncBuffer{}, cancel: cancel, done: make(chan int, 1)}
	go func() { s.done <- serve(ctx, append([]string{"--addr", "127.0.0.1:0"}, args...), s.stdout, s.stderr) }()
	t.Cleanup(func() { s.stop(t) })
	deadline := time.Now().Add(30 * time.Second)
	for {
		if m := servingLine.FindStringSubmatch(s.stdout.String()); m != nil {
			s.url = m[1]
			break
		}
		select {
		case code := <-s.done:
			s.done <- code
			t.Fatalf("hooks serve exited with %d before serving:\n%s\n%s", code, s.stdout, s.stderr)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("hooks serve did not start:\n%s\n%s", s.stdout, s.stderr)
		}
		time.Sleep(10 * time.Millisecond)
	}
	if m := tokenLine.FindStringSubmatch(s.stdout.String()); m != nil {
		s.token = m[1]
	}
	return s
}

// stop stops the server as SIGINT would and returns its exit status.
func (s *testServer) stop(t *testing.T) int {
	s.cancel()
	select {
	case code := <-s.done:
		s.done <- code
		return code
	case <-time.After(60 * time.Second):
		t.Fatal("hooks serve did not stop")
		return -1
	}
}

// call sends a request and decodes the JSON answer into out, if not nil.
func call(t *testing.T, method, url, token, body string, out any) int {
	t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, url, r)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if out != nil && len(b) > 0 {
		if err := json.Unmarshal(b, out); err != nil {
			t.Fatalf("%s %s: %d %s: %v", method, url, resp.StatusCode, b, err)
		}
	}
	return resp.StatusCode
}

// writeConfig writes a secrets key and a configuration using it.
func writeConfig(t *testing.T, dir string, extra ...string) string {
	t.Helper()
	key := filepath.Join(dir, "secrets.key")
	if err := os.WriteFile(key, []byte(store.EncodeKey(store.GenerateKey())+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := filepath.Join(dir, "hookengine.yaml")
	content := fmt.Sprintf("data_dir: %s\nsecrets_key_file: %s\nshutdown_timeout: 20s\n", filepath.Join(dir, "data"), key)
	content += strings.Join(extra, "")
	if err := os.WriteFile(cfg, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return cfg
}

// claimScript is a credentials-exchange hook answering its version and
// proof that it read the secret API_KEY (its length and first two
// characters: the run endpoint redacts secret values).
func claimScript(version string) string {
	return `module.exports = function (client, scope, audience, context, cb) {
  const key = context.webtask.secrets.API_KEY || '';
  cb(null, { 'https://example.com/version': '` + version + `', 'https://example.com/key': key.length + ':' + key.slice(0, 2) });
};`
}

// runTrigger runs the enabled credentials-exchange hook and returns its
// claims.
func runTrigger(t *testing.T, s *testServer) map[string]any {
	t.Helper()
	input, err := os.ReadFile("../../testdata/inputs/credentials-exchange.json")
	if err != nil {
		t.Fatal(err)
	}
	var res mgmtapi.RunResult
	if code := call(t, "POST", s.url+"/hookengine/v1/triggers/credentials-exchange/run", s.token, string(input), &res); code != 200 {
		t.Fatalf("run: %d", code)
	}
	var claims map[string]any
	if err := json.Unmarshal(res.Data, &claims); err != nil || res.Status != "success" {
		t.Fatalf("run result %+v: %v", res, err)
	}
	return claims
}

// snapshot describes every hook the server has, by name, without ids.
func snapshot(t *testing.T, s *testServer) map[string]string {
	t.Helper()
	var hooks []mgmtapi.Hook
	if code := call(t, "GET", s.url+"/api/v2/hooks?per_page=100", s.token, "", &hooks); code != 200 {
		t.Fatalf("list: %d", code)
	}
	out := map[string]string{}
	for _, h := range hooks {
		var secrets map[string]string
		call(t, "GET", s.url+"/api/v2/hooks/"+h.ID+"/secrets", s.token, "", &secrets)
		deps, _ := json.Marshal(h.Dependencies)
		out[h.Name] = fmt.Sprintf("%s|%v|%s|%s|%s", h.TriggerID, h.Enabled, deps,
			strings.Join(slices.Sorted(maps.Keys(secrets)), ","), h.Script)
	}
	return out
}

// TestServeEndToEnd runs the real server on a temporary directory and,
// over HTTP, goes through a hook's whole life, an export, a deletion of
// everything and the import of the export.
func TestServeEndToEnd(t *testing.T) {
	t.Setenv("HOOKENGINE_TOKEN", "")
	dir := t.TempDir()
	s := startServer(t, "--config", writeConfig(t, dir))
	if s.token == "" {
		t.Fatalf("no development token printed:\n%s", s.stdout)
	}
	hooksURL := s.url + "/api/v2/hooks"

	// Create with exactly the documented body shape.
	body, _ := json.Marshal(map[string]string{"name": "my-hook", "script": claimScript("v1"), "triggerId": "credentials-exchange"})
	var created mgmtapi.Hook
	if code := call(t, "POST", hooksURL, s.token, string(body), &created); code != 201 {
		t.Fatalf("POST: %d", code)
	}
	if created.Enabled || created.Name != "my-hook" || len(created.ID) != 26 {
		t.Errorf("created %+v", created)
	}
	var apiErr mgmtapi.Error
	if code := call(t, "POST", s.url+"/hookengine/v1/triggers/credentials-exchange/run", s.token, "{}", &apiErr); code != 404 || apiErr.ErrorCode != mgmtapi.CodeNoHookEnabled {
		t.Errorf("run before enabling: %d %+v", code, apiErr)
	}

	// Enable, run.
	if code := call(t, "PATCH", hooksURL+"/"+created.ID, s.token, `{"enabled":true}`, nil); code != 200 {
		t.Fatalf("PATCH enabled: %d", code)
	}
	if c := runTrigger(t, s); c["https://example.com/version"] != "v1" || c["https://example.com/key"] != "0:" {
		t.Errorf("first run: %v", c)
	}
	// Patch the script: the next run has the new behaviour.
	patch, _ := json.Marshal(map[string]string{"script": claimScript("v2")})
	if code := call(t, "PATCH", hooksURL+"/"+created.ID, s.token, string(patch), nil); code != 200 {
		t.Fatalf("PATCH script: %d", code)
	}
	if c := runTrigger(t, s); c["https://example.com/version"] != "v2" {
		t.Errorf("after patching: %v", c)
	}
	// Add a secret: the script reads it in context.webtask.secrets.
	if code := call(t, "POST", hooksURL+"/"+created.ID+"/secrets", s.token, `{"API_KEY":"sk-0123456789"}`, nil); code != 201 {
		t.Fatalf("POST secrets: %d", code)
	}
	if c := runTrigger(t, s); c["https://example.com/key"] != "13:sk" {
		t.Errorf("after adding the secret: %v", c)
	}
	// More hooks, for the export.
	call(t, "POST", hooksURL, s.token, `{"name":"Signup Plan","triggerId":"pre-user-registration","enabled":true,"dependencies":{"auth0":"2.30.0"},"script":"module.exports = function (user, context, cb) { cb(null, { user: { app_metadata: { plan: 'free' } } }); };"}`, nil)
	call(t, "POST", hooksURL, s.token, `{"name":"audit","triggerId":"post-change-password","script":"module.exports = function (user, context, cb) { console.log(user.id); cb(); };"}`, nil)
	before := snapshot(t, s)
	if len(before) != 3 {
		t.Fatalf("before export: %v", before)
	}

	// Export, delete everything, import the export.
	exportDir := filepath.Join(dir, "export")
	if code, out, errOut := hooks("", "export", "--server", s.url, "--token", s.token, exportDir); code != 0 {
		t.Fatalf("export: %d\n%s%s", code, out, errOut)
	}
	var all []mgmtapi.Hook
	call(t, "GET", hooksURL, s.token, "", &all)
	for _, h := range all {
		if code := call(t, "DELETE", hooksURL+"/"+h.ID, s.token, "", nil); code != 204 {
			t.Fatalf("DELETE %s: %d", h.Name, code)
		}
	}
	if left := snapshot(t, s); len(left) != 0 {
		t.Fatalf("after deleting everything: %v", left)
	}
	code, out, errOut := hooks("", "import", "--server", s.url, "--token", s.token, exportDir)
	if code != 0 || strings.Count(out, "create ") != 3 {
		t.Fatalf("import: %d\n%s%s", code, out, errOut)
	}
	if !strings.Contains(errOut, "secret API_KEY has no value") {
		t.Errorf("import did not warn about the hidden secret value:\n%s", errOut)
	}
	// Imported names are those the Deploy CLI sends, lower-cased with
	// spaces turned into '-': "Signup Plan" comes back as "signup-plan".
	before["signup-plan"] = before["Signup Plan"]
	delete(before, "Signup Plan")
	if after := snapshot(t, s); !maps.Equal(after, before) {
		t.Errorf("after the import:\n%v\nwant\n%v", after, before)
	}
	// The imported hook runs; the secret exists, but its value, which no
	// export shows, is the placeholder.
	if c := runTrigger(t, s); c["https://example.com/version"] != "v2" || c["https://example.com/key"] != fmt.Sprintf("%d:_V", len(store.HiddenSecretValue)) {
		t.Errorf("after the import: %v", c)
	}
	// Importing again changes nothing.
	code, out, _ = hooks("", "import", "--server", s.url, "--token", s.token, exportDir)
	if code != 0 || strings.Count(out, "keep ") != 3 {
		t.Errorf("second import: %d\n%s", code, out)
	}

	if code := s.stop(t); code != 0 || !strings.Contains(s.stdout.String(), "hooks: stopped") {
		t.Errorf("stop: %d\n%s\n%s", code, s.stdout, s.stderr)
	}
	if strings.Contains(s.stderr.String(), s.token) || strings.Contains(s.stderr.String(), "sk-0123456789") {
		t.Error("the logs hold the token or a secret value")
	}
}

// TestServeConcurrentWritersAndRestart has 50 goroutines create and patch
// hooks at once over HTTP; no update is lost, the database stays
// consistent, and after a restart the server serves the same data.
func TestServeConcurrentWritersAndRestart(t *testing.T) {
	t.Setenv("HOOKENGINE_TOKEN", "")
	dir := t.TempDir()
	cfg := writeConfig(t, dir)
	s := startServer(t, "--config", cfg)
	hooksURL := s.url + "/api/v2/hooks"
	triggerIDs := triggerIDs()

	const workers, patches, shared = 50, 3, 5
	var sharedIDs []string
	for i := range shared {
		var h mgmtapi.Hook
		call(t, "POST", hooksURL, s.token, fmt.Sprintf(`{"name":"shared %d","script":"x","triggerId":"post-user-registration"}`, i), &h)
		sharedIDs = append(sharedIDs, h.ID)
	}
	var wg sync.WaitGroup
	errs := make(chan string, workers*8)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var h mgmtapi.Hook
			trig := triggerIDs[w%len(triggerIDs)]
			if code := call(t, "POST", hooksURL, s.token, fmt.Sprintf(`{"name":"worker %d","script":"// 0","triggerId":%q}`, w, trig), &h); code != 201 {
				errs <- fmt.Sprintf("worker %d: POST %d", w, code)
				return
			}
			for p := 1; p <= patches; p++ {
				if code := call(t, "PATCH", hooksURL+"/"+h.ID, s.token, fmt.Sprintf(`{"script":"// %d/%d"}`, w, p), nil); code != 200 {
					errs <- fmt.Sprintf("worker %d: PATCH %d", w, code)
				}
			}
			if code := call(t, "PATCH", hooksURL+"/"+h.ID, s.token, `{"enabled":true}`, nil); code != 200 {
				errs <- fmt.Sprintf("worker %d: enable %d", w, code)
			}
			if code := call(t, "POST", hooksURL+"/"+sharedIDs[w%shared]+"/secrets", s.token, fmt.Sprintf(`{"W%d":"v%d"}`, w, w), nil); code != 201 {
				errs <- fmt.Sprintf("worker %d: secret %d", w, code)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
	before := snapshot(t, s)
	if len(before) != workers+shared {
		t.Fatalf("%d hooks, want %d", len(before), workers+shared)
	}
	enabledPer := map[string]int{}
	for name, desc := range before {
		parts := strings.SplitN(desc, "|", 5)
		if parts[1] == "true" {
			enabledPer[parts[0]]++
		}
		var w int
		if _, err := fmt.Sscanf(name, "worker %d", &w); err == nil {
			if want := fmt.Sprintf("// %d/%d", w, patches); parts[4] != want {
				t.Errorf("%s: script %q, want %q (an update was lost)", name, parts[4], want)
			}
		} else if n := strings.Count(parts[3], ",") + 1; n != workers/shared {
			t.Errorf("%s has %d secrets, want %d: %s", name, n, workers/shared, parts[3])
		}
	}
	for _, trig := range triggerIDs {
		if enabledPer[trig] != 1 {
			t.Errorf("%d enabled %s hooks, want 1", enabledPer[trig], trig)
		}
	}

	// Restart on the same data: the same hooks, and the development token
	// still works (and is not printed again).
	if code := s.stop(t); code != 0 {
		t.Fatalf("stop: %d\n%s", code, s.stderr)
	}
	checkDatabase(t, filepath.Join(dir, "data", "hooks.db"))
	again := startServer(t, "--config", cfg)
	if again.token != "" {
		t.Error("a second development token was printed")
	}
	again.token = s.token
	if after := snapshot(t, again); !maps.Equal(after, before) {
		t.Errorf("after the restart %d hooks differ", len(after))
	}
}

// checkDatabase opens the stopped server's database: SQLite finds it
// sound, and at most one hook per trigger is enabled.
func checkDatabase(t *testing.T, path string) {
	t.Helper()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var check string
	if err := db.QueryRow(`PRAGMA integrity_check`).Scan(&check); err != nil || check != "ok" {
		t.Errorf("integrity_check: %q, %v", check, err)
	}
	var most int
	if err := db.QueryRow(`SELECT COALESCE(MAX(n), 0) FROM (SELECT COUNT(*) AS n FROM hooks WHERE enabled = 1 GROUP BY trigger_id)`).Scan(&most); err != nil || most > 1 {
		t.Errorf("enabled hooks per trigger: %d, %v", most, err)
	}
}

func TestServeRefusesWithoutKey(t *testing.T) {
	t.Setenv("HOOKENGINE_SECRETS_KEY", "")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out, errb syncBuffer
	code := serve(ctx, []string{"--data", t.TempDir(), "--addr", "127.0.0.1:0"}, &out, &errb)
	if code != exitFailure || !strings.Contains(errb.String(), "no secrets key") || !strings.Contains(errb.String(), "--dev") {
		t.Errorf("exit %d, stderr %s", code, errb.String())
	}
	if out.String() != "" {
		t.Errorf("a server that did not start printed %q", out.String())
	}
	t.Setenv("HOOKENGINE_SECRETS_KEY", "too-short")
	code = serve(ctx, []string{"--data", t.TempDir(), "--addr", "127.0.0.1:0"}, &out, &errb)
	if code != exitFailure || !strings.Contains(errb.String(), "HOOKENGINE_SECRETS_KEY") {
		t.Errorf("bad key: exit %d, stderr %s", code, errb.String())
	}
}

func TestServeDevModeSaysSo(t *testing.T) {
	t.Setenv("HOOKENGINE_SECRETS_KEY", "")
	t.Setenv("HOOKENGINE_TOKEN", "env-token-for-tests")
	dir := t.TempDir()
	s := startServer(t, "--dev", "--data", dir)
	if s.token != "" {
		t.Error("a development token was made although $HOOKENGINE_TOKEN is set")
	}
	if !strings.Contains(s.stderr.String(), "DEVELOPMENT MODE") {
		t.Errorf("development mode is not announced:\n%s", s.stderr)
	}
	if code := call(t, "GET", s.url+"/api/v2/hooks", "env-token-for-tests", "", nil); code != 200 {
		t.Errorf("with $HOOKENGINE_TOKEN: %d", code)
	}
	if code := call(t, "GET", s.url+"/api/v2/hooks", "other", "", nil); code != 401 {
		t.Errorf("with another token: %d", code)
	}
	if code := call(t, "GET", s.url+"/healthz", "", "", nil); code != 200 {
		t.Errorf("healthz: %d", code)
	}
	if fi, err := os.Stat(filepath.Join(dir, "dev-secrets.key")); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("development key file: %v %v", fi, err)
	}
}

// TestServeDashboardLink checks the address of the Hooks page hooks serve
// prints: with the development token in its fragment when it was just made,
// plain afterwards; and that the page is there.
func TestServeDashboardLink(t *testing.T) {
	t.Setenv("HOOKENGINE_SECRETS_KEY", "")
	t.Setenv("HOOKENGINE_TOKEN", "")
	dir := t.TempDir()
	s := startServer(t, "--dev", "--data", dir)
	want := "hooks: the Hooks page, signed in with the development token: " + s.url + "/dashboard/#token=" + s.token + "\n"
	if s.token == "" || !strings.Contains(s.stdout.String(), want) {
		t.Errorf("no sign-in link %q in:\n%s", want, s.stdout)
	}
	resp, err := http.Get(s.url + "/")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Request.URL.Path != "/dashboard/" || !strings.Contains(string(page), "Create a Hook") {
		t.Errorf("GET /: %d %s", resp.StatusCode, resp.Request.URL)
	}
	if code := s.stop(t); code != exitOK {
		t.Fatalf("stop: %d", code)
	}
	s = startServer(t, "--dev", "--data", dir)
	want = "hooks: the Hooks page: " + s.url + "/dashboard/ (sign in with a token)\n"
	if s.token != "" || !strings.Contains(s.stdout.String(), want) || strings.Contains(s.stdout.String(), "hkdev_") {
		t.Errorf("second start:\n%s", s.stdout)
	}
	http.DefaultClient.CloseIdleConnections()
}

// TestHelperProcess is not a test: TestServeSignals runs the test binary
// as the hooks command through it.
func TestHelperProcess(t *testing.T) {
	if os.Getenv("HOOKS_HELPER_PROCESS") != "1" {
		t.Skip("runs only as a helper process")
	}
	args := os.Args
	for i, a := range args {
		if a == "--" {
			args = args[i+1:]
			break
		}
	}
	os.Exit(run(args, os.Stdin, os.Stdout, os.Stderr))
}

// TestServeSignals runs hooks serve as a process and stops it with SIGTERM
// while a hook runs: the request in progress is answered, and the process
// exits with 0.
func TestServeSignals(t *testing.T) {
	cmd, url, stdout, stderr := startServe(t, "signal-test-token", "--data", t.TempDir())
	rest := make(chan string, 1)
	go func() { b, _ := io.ReadAll(stdout); rest <- string(b) }()

	const token = "signal-test-token"
	slow := `module.exports = function (client, scope, audience, context, cb) { console.log('slow hook started'); setTimeout(function () { cb(null, { 'https://example.com/slow': true }); }, 500); };`
	body, _ := json.Marshal(map[string]any{"name": "slow", "script": slow, "triggerId": "credentials-exchange", "enabled": true})
	if code := call(t, "POST", url+"/api/v2/hooks", token, string(body), nil); code != 201 {
		t.Fatalf("POST: %d", code)
	}
	input, _ := os.ReadFile("../../testdata/inputs/credentials-exchange.json")
	answered := make(chan string, 1)
	go func() {
		var res mgmtapi.RunResult
		code := call(t, "POST", url+"/hookengine/v1/triggers/credentials-exchange/run", token, string(input), &res)
		answered <- fmt.Sprintf("%d %s", code, res.Data)
	}()
	// Stop the server once the hook runs (its console output is in the logs).
	waitForOutput(t, stderr, "slow hook started")
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case got := <-answered:
		if got != `200 {"https://example.com/slow":true}` {
			t.Errorf("the request in progress got %s", got)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the request in progress was not answered")
	}
	err := cmd.Wait()
	if out := <-rest; err != nil || !strings.Contains(out, "hooks: stopped") {
		t.Errorf("exit: %v; stdout %q; stderr:\n%s", err, out, stderr.String())
	}
}

// startServe runs hooks serve --dev as a process (this test binary, see
// TestHelperProcess) on a free port with the given API token and extra
// arguments, and returns once it is serving: the process, its URL, the rest
// of its standard output and its standard error. The process is killed at
// the end of the test if it is still running.
func startServe(t *testing.T, token string, args ...string) (cmd *exec.Cmd, url string, stdout io.Reader, stderr *syncBuffer) {
	t.Helper()
	cmd = exec.Command(os.Args[0], append([]string{"-test.run=^TestHelperProcess$", "--", "serve", "--dev", "--addr", "127.0.0.1:0"}, args...)...)
	cmd.Env = append(os.Environ(), "HOOKS_HELPER_PROCESS=1", "HOOKENGINE_TOKEN="+token, "HOOKENGINE_SECRETS_KEY=")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	stderr = &syncBuffer{}
	cmd.Stderr = stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			cmd.Wait()
		}
	})
	lines := bufio.NewScanner(out)
	for lines.Scan() {
		if m := servingLine.FindStringSubmatch(lines.Text()); m != nil {
			return cmd, m[1], out, stderr
		}
	}
	t.Fatalf("no serving line; stderr:\n%s", stderr.String())
	return nil, "", nil, nil
}

// waitForOutput waits until text appears in a process's output.
func waitForOutput(t *testing.T, output *syncBuffer, text string) {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); !strings.Contains(output.String(), text); {
		if time.Now().After(deadline) {
			t.Fatalf("%q did not appear in:\n%s", text, output.String())
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestServeNetworkPolicy runs a hook that fetches a local test server: it
// is refused by default (a loopback address), reached with --allow-host,
// and a per-hook limit from the configuration applies to that hook only.
func TestServeNetworkPolicy(t *testing.T) {
	internal := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "internal") }))
	defer internal.Close()
	script, err := os.ReadFile("../../testdata/hooks/fetch/catch-error.js")
	if err != nil {
		t.Fatal(err)
	}
	input, err := os.ReadFile("../../testdata/inputs/pre-user-registration.json")
	if err != nil {
		t.Fatal(err)
	}
	run := func(s *testServer) string {
		t.Helper()
		body, _ := json.Marshal(map[string]any{"name": "Fetch Internal 2", "script": string(script), "triggerId": "pre-user-registration"})
		var h mgmtapi.Hook
		if code := call(t, "POST", s.url+"/api/v2/hooks", s.token, string(body), &h); code != 201 {
			t.Fatalf("create: %d", code)
		}
		if code := call(t, "POST", s.url+"/api/v2/hooks/"+h.ID+"/secrets", s.token, fmt.Sprintf(`{"URL":%q}`, internal.URL), nil); code != 201 {
			t.Fatalf("secret: %d", code)
		}
		var res mgmtapi.RunResult
		if code := call(t, "POST", s.url+"/hookengine/v1/hooks/"+h.ID+"/run", s.token, string(input), &res); code != 200 {
			t.Fatalf("run: %d", code)
		}
		return string(res.Data)
	}
	refused := startServer(t, "--dev", "--data", t.TempDir())
	if got := run(refused); strings.Contains(got, `"ok":true`) {
		t.Errorf("a loopback address was reached without --allow-host: %s", got)
	}
	host, _, _ := net.SplitHostPort(strings.TrimPrefix(internal.URL, "http://"))
	allowed := startServer(t, "--dev", "--data", t.TempDir(), "--allow-host", host)
	if got := run(allowed); !strings.Contains(got, `"ok":true`) || !strings.Contains(got, `"status":200`) {
		t.Errorf("with --allow-host %s: %s", host, got)
	}
	// The same from the configuration file.
	dir := t.TempDir()
	cfg := writeConfig(t, dir, "network:\n  allow_hosts: [\""+host+"/32\"]\n  max_requests: 5\n")
	fromConfig := startServer(t, "--config", cfg)
	if m := tokenLine.FindStringSubmatch(fromConfig.stdout.String()); m == nil {
		t.Fatalf("no token:\n%s", fromConfig.stdout)
	}
	if got := run(fromConfig); !strings.Contains(got, `"ok":true`) {
		t.Errorf("with network.allow_hosts: %s", got)
	}
}

// TestServeHTTPSDev starts hooks serve --dev --tls-self-signed: it prints
// the certificate and the NODE_EXTRA_CA_CERTS line, and a client trusting
// that file talks to it over HTTPS.
func TestServeHTTPSDev(t *testing.T) {
	data := t.TempDir()
	s := startServer(t, "--dev", "--data", data, "--tls-self-signed")
	cert := filepath.Join(data, "dev-tls-cert.pem")
	if !strings.HasPrefix(s.url, "https://") || !strings.Contains(s.stdout.String(), "export NODE_EXTRA_CA_CERTS="+cert+"\n") {
		t.Fatalf("output:\n%s", s.stdout)
	}
	tr := trusting(t, cert)
	req, _ := http.NewRequest("GET", s.url+"/api/v2/hooks", nil)
	req.Header.Set("Authorization", "Bearer "+s.token)
	resp, err := (&http.Client{Transport: tr}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("GET over HTTPS: %d", resp.StatusCode)
	}
	// Without --dev, a self-signed certificate is refused.
	t.Setenv("HOOKENGINE_SECRETS_KEY", store.EncodeKey(store.GenerateKey()))
	code, _, errOut := hooks("", "serve", "--data", t.TempDir(), "--tls-self-signed", "--addr", "127.0.0.1:0")
	if code != exitFailure || !strings.Contains(errOut, "development mode only") {
		t.Errorf("--tls-self-signed without --dev: %d %s", code, errOut)
	}
}

// trusting returns a transport that trusts the certificate in PEM file
// cert, its idle connections closed when t ends.
func trusting(t *testing.T, cert string) *http.Transport {
	t.Helper()
	pem, err := os.ReadFile(cert)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		t.Fatalf("no certificate in %s", cert)
	}
	tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}
	t.Cleanup(tr.CloseIdleConnections)
	return tr
}
