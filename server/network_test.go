package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/hookengine/hookengine/mgmtapi"
	"github.com/hookengine/hookengine/server"
)

// TestNetworkMaxRunBytes: network.max_run_bytes, read from the
// configuration file, bounds the response bytes of each run of hooks served;
// hook_limits give one hook its own max_run_bytes and max_requests.
func TestNetworkMaxRunBytes(t *testing.T) {
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n, err := strconv.Atoi(strings.TrimPrefix(r.URL.Path, "/bytes/"))
		if err != nil || n < 0 {
			http.NotFound(w, r)
			return
		}
		io.WriteString(w, strings.Repeat("x", n))
	}))
	defer api.Close()
	script, err := os.ReadFile(filepath.Join("..", "testdata", "hooks", "fetch", "run-bytes.js"))
	if err != nil {
		t.Fatal(err)
	}
	input, err := os.ReadFile(filepath.Join("..", "testdata", "inputs", "pre-user-registration.json"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, network, want string
	}{
		{"default", "", `[600,600]`},
		{"max_run_bytes", "  max_run_bytes: 1000\n", `[600,"FetchLimitError: a hook run may receive at most 1000 response bytes (1000)"]`},
		{"hook_limits raise it", "  max_run_bytes: 1000\nhook_limits:\n  run-bytes: {max_run_bytes: 2000}\n", `[600,600]`},
		{"hook_limits lower it", "hook_limits:\n  run-bytes: {max_run_bytes: 700}\n", `[600,"FetchLimitError: a hook run may receive at most 700 response bytes (700)"]`},
		{"hook_limits max_requests", "hook_limits:\n  run-bytes: {max_requests: 1}\n", `[600,"FetchLimitError: a hook run may make at most 1 requests (1)"]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "c.yaml")
			os.WriteFile(path, []byte("network:\n  allow_hosts: [127.0.0.1]\n"+tt.network), 0o600)
			cfg, err := server.LoadConfig(path)
			if err != nil {
				t.Fatal(err)
			}
			t.Setenv(server.EnvToken, "run-bytes-token")
			_, base := startServer(t, cfg)
			call := func(path, body string, out any) {
				t.Helper()
				req, _ := http.NewRequest("POST", base+path, strings.NewReader(body))
				req.Header.Set("Authorization", "Bearer run-bytes-token")
				req.Header.Set("Content-Type", "application/json")
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				defer resp.Body.Close()
				b, _ := io.ReadAll(resp.Body)
				if resp.StatusCode/100 != 2 {
					t.Fatalf("POST %s: %d %s", path, resp.StatusCode, b)
				}
				if out != nil {
					if err := json.Unmarshal(b, out); err != nil {
						t.Fatalf("POST %s: %v: %s", path, err, b)
					}
				}
			}
			body, _ := json.Marshal(map[string]any{"name": "run-bytes", "script": string(script), "triggerId": "pre-user-registration"})
			var h mgmtapi.Hook
			call("/api/v2/hooks", string(body), &h)
			// "0600", not "600": the server redacts secret values from what
			// hooks return, and [600,600] would contain "600,600".
			call("/api/v2/hooks/"+h.ID+"/secrets", fmt.Sprintf(`{"API":%q,"SIZES":"600,0600"}`, api.URL), nil)
			var res mgmtapi.RunResult
			call("/hookengine/v1/hooks/"+h.ID+"/run", string(input), &res)
			var got bytes.Buffer
			if err := json.Compact(&got, res.Data); err != nil || got.String() != tt.want {
				t.Errorf("run: %s (%v), want %s", res.Data, err, tt.want)
			}
		})
	}
}

func TestNetworkMaxRunBytesNegative(t *testing.T) {
	t.Setenv(server.EnvToken, "x")
	tests := []struct {
		name string
		cfg  server.Config
		want string
	}{
		{"network", server.Config{Network: server.NetworkConfig{MaxRunBytes: -1}}, "network.max_run_bytes"},
		{"hook_limits max_run_bytes", server.Config{HookLimits: map[string]server.HookLimits{"h": {MaxRunBytes: -1}}}, `hook_limits["h"]`},
		{"hook_limits max_requests", server.Config{HookLimits: map[string]server.HookLimits{"h": {MaxRequests: -1}}}, `hook_limits["h"]`},
		{"spare_runtimes", server.Config{SpareRuntimes: new(-1)}, "spare_runtimes"},
		{"idle_runtimes", server.Config{IdleRuntimes: -1}, "idle_runtimes"},
		{"idle_runtimes_per_hook", server.Config{IdleRuntimesPerHook: -2}, "idle_runtimes_per_hook"},
	}
	for _, tt := range tests {
		tt.cfg.DataDir, tt.cfg.Dev = t.TempDir(), true
		srv, err := server.New(context.Background(), tt.cfg, nil, io.Discard)
		if err == nil {
			srv.Close()
		}
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: err = %v, want one naming %s", tt.name, err, tt.want)
		}
	}
}
