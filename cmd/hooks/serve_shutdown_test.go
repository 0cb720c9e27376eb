package main

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/hookengine/hookengine/server"
)

// TestServeStopsWithEndlessRun runs hooks serve as a process with a short
// shutdown_timeout and stops it with SIGTERM while a hook that would run
// for a minute is in progress: the request is answered, and the process
// exits within the timeout plus server.ShutdownGrace (and a margin for a
// loaded machine), with status 1 since the run had to be ended.
func TestServeStopsWithEndlessRun(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "hookengine.yaml")
	if err := os.WriteFile(cfg, []byte("shutdown_timeout: 300ms\nhook_wall_time: 1m\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	const token = "endless-test-token"
	cmd, url, stdout, stderr := startServe(t, token, "--config", cfg, "--data", filepath.Join(dir, "data"))
	go io.Copy(io.Discard, stdout)

	endless := `module.exports = function (client, scope, audience, context, cb) { console.log('endless hook started'); setInterval(function () {}, 5); };`
	body, _ := json.Marshal(map[string]any{"name": "endless", "script": endless, "triggerId": "credentials-exchange", "enabled": true})
	if code := call(t, "POST", url+"/api/v2/hooks", token, string(body), nil); code != 201 {
		t.Fatalf("POST: %d", code)
	}
	input, _ := os.ReadFile("../../testdata/inputs/credentials-exchange.json")
	answered := make(chan error, 1)
	go func() {
		req, _ := http.NewRequest("POST", url+"/hookengine/v1/triggers/credentials-exchange/run", strings.NewReader(string(input)))
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			answered <- err
			return
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		// The engine closing or the request's context ending, whichever
		// the run saw first; 504 if the engine were slow to return it.
		ended := resp.StatusCode == 200 && (strings.Contains(string(b), `"code":"engine_closed"`) || strings.Contains(string(b), `"code":"cancelled"`)) ||
			resp.StatusCode == http.StatusGatewayTimeout
		if !ended {
			err = errors.New(resp.Status + " " + string(b))
		}
		answered <- err
	}()
	waitForOutput(t, stderr, "endless hook started")
	start := time.Now()
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	limit := 300*time.Millisecond + server.ShutdownGrace + 2*time.Second
	select {
	case err := <-exited:
		took := time.Since(start)
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != exitFailure {
			t.Errorf("exit: %v, want status %d", err, exitFailure)
		}
		if took > limit {
			t.Errorf("the process exited %v after SIGTERM, want within %v", took, limit)
		}
	case <-time.After(limit + 10*time.Second):
		t.Fatalf("the process did not exit; stderr:\n%s", stderr.String())
	}
	if err := <-answered; err != nil {
		t.Errorf("the request in progress: %v", err)
	}
	if !strings.Contains(stderr.String(), "were ended") {
		t.Errorf("stderr does not say the runs were ended:\n%s", stderr.String())
	}
	http.DefaultClient.CloseIdleConnections()
}
