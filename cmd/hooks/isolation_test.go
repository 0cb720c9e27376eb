package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hookengine/hookengine/mgmtapi"
	"github.com/hookengine/hookengine/server"
)

// TestRunIsolationProcess runs hooks run --isolation process: the test
// binary is its own worker (see TestMain).
func TestRunIsolationProcess(t *testing.T) {
	in := inputFile(t, "pre-user-registration")
	tests := []struct {
		name     string
		args     []string
		code     int
		status   string
		errHas   string
		maxTaken time.Duration
	}{
		{"a hook that succeeds", []string{"--secret", "K=v", filepath.Join("..", "..", "testdata", "worker", "echo.js")}, exitOK, "success", "", 10 * time.Second},
		{"a loop ended at the wall limit", []string{"--timeout", "300ms", "--cpu", "1h", filepath.Join("..", "..", "testdata", "worker", "log-then-loop.js")},
			exitFailure, "error", "wall-time limit exceeded", 5 * time.Second},
		{"a loop ended at the CPU limit", []string{"--timeout", "10s", "--cpu", "100ms", filepath.Join("..", "..", "testdata", "hooks", "limits", "infinite-loop.js")},
			exitFailure, "error", "limit exceeded", 10 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start := time.Now()
			args := append([]string{"run", "--trigger", "pre-user-registration", "--isolation", "process"}, tt.args...)
			code, stdout, stderr := hooks(in, args...)
			if code != tt.code {
				t.Fatalf("exit status %d, want %d; stderr %q", code, tt.code, stderr)
			}
			r := parseResult(t, stdout)
			if r.Status != tt.status || (tt.errHas != "" && (r.Error == nil || !strings.Contains(*r.Error, tt.errHas))) {
				t.Errorf("result %s", stdout)
			}
			if took := time.Since(start); took > tt.maxTaken {
				t.Errorf("took %v", took)
			}
		})
	}
	if code, _, stderr := hooks(in, "run", "--trigger", "pre-user-registration", "--isolation", "container", "x.js"); code != exitUsage || !strings.Contains(stderr, "in-process or process") {
		t.Errorf("a bad --isolation: status %d, stderr %q", code, stderr)
	}
}

// TestSoakIsolationProcess runs a short soak through worker processes and
// checks that no result was lost, duplicated or crossed.
func TestSoakIsolationProcess(t *testing.T) {
	if testing.Short() {
		t.Skip("the soak runs for seconds")
	}
	code, stdout, stderr := hooks("", "soak", "--duration", "1s", "--wall-time", soakWallTime, "--workers", "4", "--seed", "11", "--json", "--isolation", "process")
	var rep struct {
		Config struct {
			Isolation string `json:"isolation"`
		} `json:"config"`
		Runs     uint64           `json:"runs"`
		Checks   map[string]int64 `json:"checks"`
		Failures []string         `json:"failures"`
	}
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
		t.Fatalf("status %d, stdout is not the JSON report: %v\n%s\n%s", code, err, stdout, stderr)
	}
	if rep.Config.Isolation != "process" || rep.Runs == 0 {
		t.Errorf("isolation %q, %d runs", rep.Config.Isolation, rep.Runs)
	}
	for _, k := range []string{"lost", "duplicated", "crossed", "mismatched", "unexpected", "stuck"} {
		if rep.Checks[k] != 0 {
			t.Errorf("check %s: %d", k, rep.Checks[k])
		}
	}
	if code != exitOK {
		t.Errorf("exit status %d: failures %v\nstderr %s", code, rep.Failures, stderr)
	}
}

// TestServeIsolationProcess: hooks serve with isolation: process (from
// the configuration file) runs hooks in workers, and stops them when it
// stops.
func TestServeIsolationProcess(t *testing.T) {
	t.Setenv("HOOKENGINE_TOKEN", "")
	dir := t.TempDir()
	cfg := writeConfig(t, dir, "isolation: process\nisolation_workers: 1\n")
	s := startServer(t, "--config", cfg)
	body, _ := json.Marshal(map[string]string{"name": "my-hook", "script": claimScript("v1"), "triggerId": "credentials-exchange"})
	var created mgmtapi.Hook
	if code := call(t, "POST", s.url+"/api/v2/hooks", s.token, string(body), &created); code != 201 {
		t.Fatalf("POST: %d", code)
	}
	if code := call(t, "PATCH", s.url+"/api/v2/hooks/"+created.ID, s.token, `{"enabled":true}`, nil); code != 200 {
		t.Fatalf("PATCH enabled: %d", code)
	}
	if c := runTrigger(t, s); c["https://example.com/version"] != "v1" {
		t.Errorf("run: %v", c)
	}
	if n := len(workerChildren()); n != 1 {
		t.Errorf("%d worker processes while serving, want 1", n)
	}
	if code := s.stop(t); code != exitOK {
		t.Fatalf("exit status %d:\n%s", code, s.stderr)
	}
	if pids := workerChildren(); len(pids) != 0 {
		t.Errorf("worker processes left after serve stopped: %v", pids)
	}
}

// TestServeModules: hooks serve --modules gives hooks the packages of a
// node_modules directory, in-process and in worker processes (which open
// it themselves), and checks a hook's declared dependencies against it.
func TestServeModules(t *testing.T) {
	t.Setenv("HOOKENGINE_TOKEN", "")
	script := "module.exports = function (client, scope, audience, context, cb) {\n" +
		"  cb(null, { 'https://example.com/hi': require('greet').greet('ada') });\n};"
	for _, isolation := range []string{"in-process", "process"} {
		t.Run(isolation, func(t *testing.T) {
			s := startServer(t, "--data", t.TempDir(), "--dev", "--isolation", isolation, "--modules", fixtureModules())
			tests := []struct {
				name string
				deps map[string]string
				want string
			}{
				{"satisfied", map[string]string{"greet": "^1.2.0"}, `"https://example.com/hi":"Hello, Ada!"`},
				{"another version", map[string]string{"greet": "2.0.0"}, "dependency greet@2.0.0: version 1.2.3 is installed"},
			}
			for _, tt := range tests {
				body, _ := json.Marshal(map[string]any{"name": "greeter " + tt.name, "script": script, "triggerId": "credentials-exchange", "dependencies": tt.deps})
				var created mgmtapi.Hook
				if code := call(t, "POST", s.url+"/api/v2/hooks", s.token, string(body), &created); code != 201 {
					t.Fatalf("POST: %d", code)
				}
				input, err := os.ReadFile("../../testdata/inputs/credentials-exchange.json")
				if err != nil {
					t.Fatal(err)
				}
				var res mgmtapi.RunResult
				if code := call(t, "POST", s.url+"/hookengine/v1/hooks/"+created.ID+"/run", s.token, string(input), &res); code != 200 {
					t.Fatalf("run: %d", code)
				}
				if !strings.Contains(string(res.Data), tt.want) {
					t.Errorf("%s: the run's data %s lacks %q", tt.name, res.Data, tt.want)
				}
			}
			if code := s.stop(t); code != exitOK {
				t.Fatalf("exit status %d:\n%s", code, s.stderr)
			}
		})
	}
}

// workerChildren lists the processes whose parent is this one.
func workerChildren() []int {
	var pids []int
	stats, _ := filepath.Glob("/proc/[0-9]*/stat")
	for _, p := range stats {
		b, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		i := strings.LastIndexByte(string(b), ')')
		if f := strings.Fields(string(b[i+1:])); i > 0 && len(f) > 1 && f[1] == strconv.Itoa(os.Getpid()) {
			pid, _ := strconv.Atoi(strings.Split(p, "/")[2])
			pids = append(pids, pid)
		}
	}
	return pids
}

// TestServeIsolationConfig: serve's isolation key takes in-process or
// process, and nothing else.
func TestServeIsolationConfig(t *testing.T) {
	var cfg server.Config
	if err := json.Unmarshal([]byte(`{"isolation":"process","isolation_workers":2}`), &cfg); err != nil {
		t.Fatal(err)
	}
	if cfg.Isolation != "process" || cfg.IsolationWorkers != 2 {
		t.Errorf("config %+v", cfg)
	}
	var f isolationFlag
	for _, v := range []string{"in-process", "process"} {
		if err := f.Set(v); err != nil || string(f) != v {
			t.Errorf("Set(%q) = %v", v, err)
		}
	}
	if err := f.Set("vm"); err == nil {
		t.Error(`Set("vm") accepted`)
	}
}
