package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/perf/benchfmt"
	"golang.org/x/perf/benchmath"
)

// quick are the flags that keep a benchmark short.
var quick = []string{"--count", "6", "--samples", "3", "--warmup", "1", "--cold", "2"}

func benchArgs(extra ...string) []string {
	return append(append([]string{"bench", "--trigger", "pre-user-registration"}, quick...), extra...)
}

// The JSON report of two scripts has every field the issue asks for, per
// script, and the comparison of the second with the first.
func TestBenchJSON(t *testing.T) {
	t.Parallel()
	code, stdout, stderr := hooks(inputFile(t, "pre-user-registration"), benchArgs("--format", "json", "--concurrency", "2",
		hookFile("pre-user-registration", "metadata"), hookFile("pre-user-registration", "string-error"))...)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if stderr != "" {
		t.Errorf("stderr not empty when not a terminal: %q", stderr)
	}
	var rep map[string]any
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
		t.Fatalf("stdout is not JSON: %v\n%s", err, stdout)
	}
	for _, k := range []string{"started", "machine", "isolation", "concurrency", "cpu_limit_ns", "wall_limit_ns", "cases", "comparisons"} {
		if _, ok := rep[k]; !ok {
			t.Errorf("no %q in the report", k)
		}
	}
	cases, _ := rep["cases"].([]any)
	if len(cases) != 2 {
		t.Fatalf("cases = %v", rep["cases"])
	}
	for i, want := range []string{"metadata.js", "string-error.js"} {
		c := cases[i].(map[string]any)
		if c["name"] != want || c["runs"] != 6.0 {
			t.Errorf("case %d: name %v runs %v, want %s and 6", i, c["name"], c["runs"], want)
		}
		for _, path := range [][]string{
			{"wall", "mean_ns"}, {"wall", "stddev_ns"}, {"wall", "median_ns"}, {"wall", "p90_ns"}, {"wall", "p99_ns"}, {"wall", "max_ns"},
			{"cpu", "mean_ns"}, {"cpu_share_of_limit"}, {"allocs_per_run"}, {"bytes_per_run"}, {"retained_bytes"},
			{"cold", "wall", "median_ns"}, {"throughput_per_s"}, {"outliers", "high"}, {"fetch", "requests_per_run"},
		} {
			v, ok := lookup(c, path...).(float64)
			if !ok || v < 0 {
				t.Errorf("%s: %v = %v, want a number", want, path, lookup(c, path...))
			}
		}
		if n := lookup(c, "cold", "wall", "n"); n != 2.0 {
			t.Errorf("%s: %v cold runs, want 2", want, n)
		}
	}
	if got := lookup(cases[1], "outcomes", "callback_error"); got != 6.0 {
		t.Errorf("string-error outcomes %v", lookup(cases[1], "outcomes"))
	}
	cmps, _ := rep["comparisons"].([]any)
	if len(cmps) != 2 || lookup(cmps[0], "baseline") != "metadata.js" || lookup(cmps[0], "case") != "string-error.js" {
		t.Errorf("comparisons %v", rep["comparisons"])
	}
	for _, k := range []string{"ratio", "p", "alpha"} {
		if _, ok := lookup(cmps[0], k).(float64); !ok {
			t.Errorf("comparison %s = %v", k, lookup(cmps[0], k))
		}
	}
}

// The same hook file in two folders gets the same benchmark name, so two
// gobench outputs compare as old and new; the lines parse with benchfmt and
// their samples with benchmath.
func TestBenchGobench(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	src, err := os.ReadFile(hookFile("pre-user-registration", "metadata"))
	if err != nil {
		t.Fatal(err)
	}
	var files []string
	for _, v := range []string{"old", "new"} {
		p := filepath.Join(dir, v, "hook.js")
		if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, src, 0o600); err != nil {
			t.Fatal(err)
		}
		files = append(files, p)
	}
	samples := map[string]map[string][]float64{} // version → benchmark → ns/op
	for i, f := range files {
		code, stdout, stderr := hooks(inputFile(t, "pre-user-registration"), benchArgs("--format", "gobench", f)...)
		if code != exitOK {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		v := []string{"old", "new"}[i]
		samples[v] = map[string][]float64{}
		r := benchfmt.NewReader(strings.NewReader(stdout), v+".txt")
		for r.Scan() {
			switch rec := r.Result().(type) {
			case *benchfmt.SyntaxError:
				t.Errorf("%s: %v", v, rec)
			case *benchfmt.Result:
				if val, ok := rec.Value("sec/op"); ok {
					samples[v][string(rec.Name.Full())] = append(samples[v][string(rec.Name.Full())], val)
				}
			}
		}
		if err := r.Err(); err != nil {
			t.Fatal(err)
		}
	}
	for name, old := range samples["old"] {
		nw, ok := samples["new"][name]
		if !ok {
			t.Errorf("%s is in old only: names %v and %v", name, samples["old"], samples["new"])
			continue
		}
		th := benchmath.DefaultThresholds
		cmp := benchmath.AssumeNothing.Compare(benchmath.NewSample(old, &th), benchmath.NewSample(nw, &th))
		if cmp.N1 != len(old) || cmp.N2 != len(nw) || cmp.P < 0 || cmp.P > 1+1e-9 { // benchmath may give 1 plus a rounding error
			t.Errorf("%s: comparison %v", name, cmp)
		}
	}
	if n := len(samples["old"]["Hook/hook.js"+procSuffix()]); n != 3 {
		t.Errorf("%d samples of Hook/hook.js, want 3 (the rounds): %v", n, samples["old"])
	}
	if n := len(samples["old"]["HookCold/hook.js"+procSuffix()]); n != 2 {
		t.Errorf("%d samples of HookCold/hook.js, want 2", n)
	}
}

// Each input of --input-dir is a case; stubs answer fetch.
func TestBenchInputDirAndStub(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	in := inputFile(t, "pre-user-registration")
	for _, name := range []string{"a.json", "b.json"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(in), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	stub := filepath.Join(t.TempDir(), "profile.json")
	if err := os.WriteFile(stub, []byte(`{"headers":{"X-RateLimit-Limit":"1000","X-RateLimit-Remaining":"999"},"body":{"tier":"gold"}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := hooks("", benchArgs("--format", "json", "--input-dir", dir, "--stub", "https://api.example.com/="+stub,
		"--secret", "API=https://api.example.com", "--secret", "TOKEN=t0k3n", fixture("hooks", "fetch", "get-json.js"))...)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var rep struct {
		Cases []struct {
			Name     string
			Outcomes map[string]int
			Fetch    map[string]float64
		}
	}
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
		t.Fatal(err)
	}
	if len(rep.Cases) != 2 || rep.Cases[0].Name != "get-json.js/a.json" || rep.Cases[1].Name != "get-json.js/b.json" {
		t.Fatalf("cases %+v", rep.Cases)
	}
	for _, c := range rep.Cases {
		if c.Outcomes["success"] != 6 || c.Fetch["requests_per_run"] != 1 || c.Fetch["unstubbed"] != 0 {
			t.Errorf("%s: outcomes %v, fetch %v", c.Name, c.Outcomes, c.Fetch)
		}
	}
}

// Bad input gets a clear error and no benchmark.
func TestBenchErrors(t *testing.T) {
	t.Parallel()
	input := inputFile(t, "pre-user-registration")
	meta := hookFile("pre-user-registration", "metadata")
	notJSONDir := t.TempDir()
	if err := os.WriteFile(filepath.Join(notJSONDir, "bad.json"), []byte("{user:"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		stdin string
		args  []string
		code  int
		want  string
	}{
		{"unknown trigger", input, []string{"bench", "--trigger", "pre-login", meta}, exitUsage, `unknown trigger "pre-login"`},
		{"no trigger", input, []string{"bench", meta}, exitUsage, "missing --trigger"},
		{"count 0", input, []string{"bench", "--trigger", "pre-user-registration", "--count", "0", meta}, exitUsage, "--count 0: the number of warm runs must be at least 1"},
		{"count and time", input, []string{"bench", "--trigger", "pre-user-registration", "--count", "3", "--time", "1s", meta}, exitUsage, "give one"},
		{"concurrency 0", input, []string{"bench", "--trigger", "pre-user-registration", "--concurrency", "0", meta}, exitUsage, "--concurrency 0"},
		{"bad format", input, []string{"bench", "--trigger", "pre-user-registration", "--format", "csv", meta}, exitUsage, `--format "csv"`},
		{"no script", input, []string{"bench", "--trigger", "pre-user-registration"}, exitUsage, "missing SCRIPT"},
		{"missing script", input, []string{"bench", "--trigger", "pre-user-registration", "nope.js"}, exitUsage, "cannot read SCRIPT"},
		{"input not JSON", "{user:", []string{"bench", "--trigger", "pre-user-registration", meta}, exitUsage, "stdin is not valid JSON"},
		{"input file not JSON", "", []string{"bench", "--trigger", "pre-user-registration", "--input-dir", notJSONDir, meta}, exitUsage, "bad.json is not valid JSON"},
		{"empty input dir", "", []string{"bench", "--trigger", "pre-user-registration", "--input-dir", t.TempDir(), meta}, exitUsage, "holds no *.json file"},
		{"bad stub", input, []string{"bench", "--trigger", "pre-user-registration", "--stub", "https://x.example/=" + meta, meta}, exitUsage, "for flag -stub"},
		{"does not compile", input, []string{"bench", "--trigger", "pre-user-registration", "--count", "1", fixture("hooks", "errors", "compile-error.js")}, exitFailure, "does not compile"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := hooks(tt.stdin, tt.args...)
			if code != tt.code || !strings.Contains(stderr, tt.want) || stdout != "" {
				t.Errorf("exit %d, stderr %q, stdout %q; want %d and %q", code, stderr, stdout, tt.code, tt.want)
			}
			if strings.Count(strings.TrimSpace(stderr), "\n") > 0 {
				t.Errorf("the error is not one line: %q", stderr)
			}
		})
	}
}

// procSuffix is the -GOMAXPROCS suffix go test gives benchmark names.
func procSuffix() string {
	if n := runtime.GOMAXPROCS(0); n > 1 {
		return "-" + strconv.Itoa(n)
	}
	return ""
}

// The help of bench documents every flag, its own and those it shares with
// run, in lines of 80 columns at most.
func TestBenchUsage(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	benchUsage(&b)
	text := b.String()
	code, stdout, _ := hooks("", "bench", "--help")
	if code != exitOK || stdout != text {
		t.Errorf("hooks bench --help: exit %d, %d bytes", code, len(stdout))
	}
	for _, name := range []string{"trigger", "secret", "timeout", "cpu", "allow-host", "modules", "isolation", "verbose",
		"count", "time", "warmup", "concurrency", "samples", "cold", "format", "input-dir", "stub"} {
		if !regexp.MustCompile(`--` + name + `[^a-z-]`).MatchString(text) {
			t.Errorf("usage does not document --%s", name)
		}
	}
	for _, line := range strings.Split(text, "\n") {
		if len([]rune(line)) > 80 {
			t.Errorf("usage line longer than 80 columns: %q", line)
		}
	}
}
