package main

import (
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestSoakCommand runs a one-second soak through the command line and
// checks its JSON report. It does not run in parallel: the soak compares
// the process's goroutines with their baseline.
// soakWallTime is the wall-time limit of the soak tests' runs. The soak's
// default, 300 ms, is a normal run's latency many times over on an idle
// machine, but not on a loaded one: under the race detector with a load of
// 20 on two cores, normal runs took up to 600 ms and ended at the limit,
// and worker processes were killed at it (their other runs lost). Normal
// runs still must end well, and hostile ones still end at the CPU limit
// (100 ms), which load does not bring closer.
const soakWallTime = "3s"

func TestSoakCommand(t *testing.T) {
	if testing.Short() {
		t.Skip("the soak runs for seconds")
	}
	code, stdout, stderr := hooks("", "soak", "--duration", "1s", "--wall-time", soakWallTime, "--workers", "2", "--seed", "7", "--json")
	if code != exitOK {
		t.Fatalf("exit status %d, stderr %q\n%s", code, stderr, stdout)
	}
	var rep struct {
		Config struct {
			Duration time.Duration `json:"duration_ns"`
			WallTime time.Duration `json:"wall_limit_ns"`
			Workers  int           `json:"workers"`
			Seed     uint64        `json:"seed"`
		} `json:"config"`
		Runs          uint64  `json:"runs"`
		RunsPerSecond float64 `json:"runs_per_second"`
		Latency       struct {
			P50 time.Duration `json:"p50_ns"`
			P99 time.Duration `json:"p99_ns"`
		} `json:"latency"`
		Ends   map[string]uint64 `json:"ends"`
		Checks map[string]int64  `json:"checks"`
		Memory struct {
			Baseline struct {
				Goroutines int `json:"goroutines"`
			} `json:"baseline"`
			GoroutinesBack bool `json:"goroutines_back"`
			HeapBack       bool `json:"heap_back"`
		} `json:"memory"`
		Failures []string `json:"failures"`
	}
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
		t.Fatalf("stdout is not the JSON report: %v\n%s", err, stdout)
	}
	if rep.Config.Duration != time.Second || rep.Config.WallTime != 3*time.Second || rep.Config.Workers != 2 || rep.Config.Seed != 7 {
		t.Errorf("config %+v, want 1s, wall-time limit 3s, 2 workers, seed 7", rep.Config)
	}
	if rep.Runs == 0 || rep.RunsPerSecond <= 0 || rep.Latency.P50 <= 0 || rep.Latency.P99 < rep.Latency.P50 {
		t.Errorf("runs %d, %.0f/s, p50 %v, p99 %v", rep.Runs, rep.RunsPerSecond, rep.Latency.P50, rep.Latency.P99)
	}
	if rep.Ends["ok"] == 0 {
		t.Errorf("no run ended ok: %v", rep.Ends)
	}
	for _, k := range []string{"lost", "duplicated", "crossed", "mismatched", "unexpected", "inconsistent", "stuck", "internal"} {
		if n, ok := rep.Checks[k]; !ok || n != 0 {
			t.Errorf("checks.%s = %d (present %v), want 0", k, n, ok)
		}
	}
	if !rep.Memory.GoroutinesBack || !rep.Memory.HeapBack || len(rep.Failures) != 0 {
		t.Errorf("goroutines back %v, heap back %v, failures %q", rep.Memory.GoroutinesBack, rep.Memory.HeapBack, rep.Failures)
	}
}

func TestSoakUsageErrors(t *testing.T) {
	t.Parallel()
	notDir := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(notDir, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"unknown flag", []string{"--bogus"}, "not defined"},
		{"argument", []string{"now"}, `unexpected argument "now"`},
		{"bad duration", []string{"--duration", "long"}, "invalid duration"},
		{"zero duration", []string{"--duration", "0s"}, "must be positive"},
		{"negative workers", []string{"--workers", "-1"}, "must be positive"},
		{"workers not a number", []string{"--workers", "many"}, "workers"},
		{"testdata not a directory", []string{"--testdata", notDir}, "is not a directory"},
		{"testdata missing", []string{"--testdata", filepath.Join(notDir, "nope")}, "is not a directory"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			code, stdout, stderr := hooks("", append([]string{"soak"}, tt.args...)...)
			if code != exitUsage || stdout != "" {
				t.Errorf("exit status %d, stdout %q; want 2 and nothing", code, stdout)
			}
			if !strings.HasPrefix(stderr, "hooks: ") || strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, tt.want) {
				t.Errorf("stderr = %q, want one line with %q", stderr, tt.want)
			}
			if !strings.Contains(stderr, `"hooks soak --help"`) {
				t.Errorf("stderr does not point at the help: %q", stderr)
			}
		})
	}
}

// TestSoakUsage checks that the help documents every flag with its
// default, the output and the exit statuses, within 80 columns.
func TestSoakUsage(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{{"soak", "--help"}, {"soak", "-h"}, {"help", "soak"}} {
		code, stdout, stderr := hooks("", args...)
		if code != exitOK || stderr != "" || !strings.HasPrefix(stdout, "Usage: hooks soak") {
			t.Errorf("%q: exit status %d, stderr %q, stdout %q", args, code, stderr, stdout)
		}
	}
	var b strings.Builder
	soakUsage(&b)
	text := b.String()
	newSoakFlags(&soakOptions{}).VisitAll(func(f *flag.Flag) {
		if !strings.Contains(text, "--"+f.Name+" ") {
			t.Errorf("usage does not document --%s", f.Name)
		}
	})
	for _, w := range []string{"(default 60s)", "(default twice", "(default false", "(default 0", "(default: found",
		"p50", "p99", "Exit status", "  0  ", "  1  ", "  2  "} {
		if !strings.Contains(text, w) {
			t.Errorf("usage does not contain %q", w)
		}
	}
	for _, line := range strings.Split(text, "\n") {
		if len([]rune(line)) > 80 {
			t.Errorf("usage line longer than 80 columns: %q", line)
		}
	}
	if _, err := parseSoakArgs([]string{"--help"}); !errors.Is(err, flag.ErrHelp) {
		t.Errorf("--help: %v, want flag.ErrHelp", err)
	}
	o, err := parseSoakArgs([]string{"--duration", "5s", "--workers", "3", "--json", "--seed", "9", "--testdata", "x"})
	if err != nil || time.Duration(o.duration) != 5*time.Second || o.workers != 3 || !o.json || o.seed != 9 || o.testdata != "x" {
		t.Errorf("parsed %+v, %v", o, err)
	}
}
