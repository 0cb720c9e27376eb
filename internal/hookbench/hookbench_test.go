package hookbench_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/perf/benchfmt"
	"golang.org/x/perf/benchmath"

	"github.com/hookengine/hookengine/engine"
	"github.com/hookengine/hookengine/internal/hookbench"
	"github.com/hookengine/hookengine/triggers"
)

func read(t *testing.T, parts ...string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(append([]string{"..", "..", "testdata"}, parts...)...))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func preUserCase(t *testing.T, name string) hookbench.Case {
	return hookbench.Case{
		Name:  name + ".js",
		Hook:  engine.Hook{Name: name, Trigger: triggers.PreUserRegistration, Script: string(read(t, "hooks", "pre-user-registration", name+".js"))},
		Input: read(t, "inputs", "pre-user-registration.json"),
	}
}

// small is a benchmark that ends fast: a few runs, rounds and cold runs.
func small(cases ...hookbench.Case) hookbench.Config {
	return hookbench.Config{Cases: cases, Count: 12, Samples: 3, Warmup: 2, Cold: 2, Concurrency: 2}
}

// Two cases: every figure is there, the runs are counted, the outcomes
// classed, and the second case is compared with the first.
func TestRunTwoCases(t *testing.T) {
	rep, err := hookbench.Run(context.Background(), small(preUserCase(t, "metadata"), preUserCase(t, "string-error")))
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Cases) != 2 || rep.Concurrency != 2 || rep.CPULimitNs != float64(engine.DefaultCPUTime) {
		t.Fatalf("report %+v", rep)
	}
	for _, c := range rep.Cases {
		if c.Runs != 12 || c.Wall.N != 12 || c.CPU.N != 12 || len(c.Samples) != 3 || c.Cold.Wall.N != 2 || len(c.Cold.RunsNs) != 2 {
			t.Errorf("%s: runs %d, wall n %d, cpu n %d, samples %d, cold %d", c.Name, c.Runs, c.Wall.N, c.CPU.N, len(c.Samples), c.Cold.Wall.N)
		}
		if !(c.Wall.Min <= c.Wall.Median && c.Wall.Median <= c.Wall.P90 && c.Wall.P90 <= c.Wall.P99 && c.Wall.P99 <= c.Wall.Max) || c.Wall.Min <= 0 {
			t.Errorf("%s: wall percentiles out of order: %+v", c.Name, c.Wall)
		}
		if c.Throughput <= 0 || c.AllocsPerRun <= 0 || c.BytesPerRun <= 0 || c.RetainedBytes == nil {
			t.Errorf("%s: throughput %v, allocs %v, bytes %v, retained %v", c.Name, c.Throughput, c.AllocsPerRun, c.BytesPerRun, c.RetainedBytes)
		}
		if c.CPUShare < 0 || c.CPUShare > 1 {
			t.Errorf("%s: CPU share %v", c.Name, c.CPUShare)
		}
		sum := 0
		for _, n := range c.Histogram.Counts {
			sum += n
		}
		if sum != c.Runs {
			t.Errorf("%s: histogram counts %d runs, want %d", c.Name, sum, c.Runs)
		}
	}
	if got := rep.Cases[0].Outcomes; got["success"] != 12 {
		t.Errorf("metadata outcomes %v", got)
	}
	if got := rep.Cases[1].Outcomes; got["callback_error"] != 12 || rep.Cases[1].Errors["callback_error"] != "Access denied." {
		t.Errorf("string-error outcomes %v, errors %v", got, rep.Cases[1].Errors)
	}
	if len(rep.Cases[0].Errors) != 0 {
		t.Errorf("metadata errors %v", rep.Cases[0].Errors)
	}
	if len(rep.Comparisons) != 2 || rep.Comparisons[0].Case != "string-error.js" || rep.Comparisons[0].Baseline != "metadata.js" ||
		rep.Comparisons[0].N1 != 12 || rep.Comparisons[0].Ratio <= 0 || rep.Comparisons[0].Delta == "" {
		t.Errorf("comparisons %+v", rep.Comparisons)
	}

	var table bytes.Buffer
	if err := rep.WriteTable(&table); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"metadata.js", "string-error.js", "wall p90 / p99", "compared with metadata.js", "callback_error 12"} {
		if !strings.Contains(table.String(), want) {
			t.Errorf("the table lacks %q:\n%s", want, table.String())
		}
	}
}

// The gobench output parses with benchfmt, has a line per round and one
// per cold run, and its samples go into benchmath.
func TestWriteGobench(t *testing.T) {
	rep, err := hookbench.Run(context.Background(), small(preUserCase(t, "metadata")))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := rep.WriteGobench(&out); err != nil {
		t.Fatal(err)
	}
	samples := map[string][]float64{}
	units := map[string]bool{}
	r := benchfmt.NewReader(&out, "gobench")
	for r.Scan() {
		res, ok := r.Result().(*benchfmt.Result)
		if !ok {
			if se, ok := r.Result().(*benchfmt.SyntaxError); ok {
				t.Fatalf("gobench output: %v", se)
			}
			continue
		}
		base := res.Name.Full()
		for _, v := range res.Values {
			unit := v.Unit // benchfmt reads ns/op as sec/op, keeping the original
			if v.OrigUnit != "" {
				unit = v.OrigUnit
			}
			units[unit] = true
			if unit == "ns/op" {
				samples[string(base)] = append(samples[string(base)], v.Value)
			}
		}
		if res.GetConfig("goos") == "" {
			t.Errorf("%s: no goos configuration", base)
		}
	}
	if err := r.Err(); err != nil {
		t.Fatal(err)
	}
	suffix := ""
	if rep.Machine.GOMAXPROCS > 1 {
		suffix = "-" + itoa(rep.Machine.GOMAXPROCS)
	}
	warm, cold := samples["Hook/metadata.js"+suffix], samples["HookCold/metadata.js"+suffix]
	if len(warm) != 3 || len(cold) != 2 {
		t.Fatalf("samples %v, want 3 warm and 2 cold", samples)
	}
	for _, u := range []string{"ns/op", "cpu-ns/op", "B/op", "allocs/op"} {
		if !units[u] {
			t.Errorf("no %s values", u)
		}
	}
	th := benchmath.DefaultThresholds
	s := benchmath.NewSample(warm, &th)
	if sum := benchmath.AssumeNothing.Summary(s, 0.95); sum.Center <= 0 {
		t.Errorf("median of the warm samples %v", sum.Center)
	}
}

func itoa(n int) string {
	var b []byte
	for ; n > 0; n /= 10 {
		b = append([]byte{byte('0' + n%10)}, b...)
	}
	return string(b)
}

// Stubs answer fetch in turn with their headers and bodies; their delay is
// counted as a fetch wait, apart from the script's time.
func TestRunStub(t *testing.T) {
	file, err := os.ReadFile(filepath.Join("..", "..", "testdata", "stubs", "profile.json"))
	if err != nil {
		t.Fatal(err)
	}
	stub, err := hookbench.ParseStub("https://api.example.com/", file)
	if err != nil {
		t.Fatal(err)
	}
	c := hookbench.Case{
		Name: "get-json.js",
		Hook: engine.Hook{Trigger: triggers.PreUserRegistration, Script: string(read(t, "hooks", "fetch", "get-json.js")),
			Secrets: map[string]string{"API": "https://api.example.com", "TOKEN": "t0k3n"}},
		Input: read(t, "inputs", "pre-user-registration.json"),
	}
	cfg := small(c)
	cfg.Stubs = []*hookbench.Stub{stub}
	cfg.SkipRetained = true
	rep, err := hookbench.Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	cr := rep.Cases[0]
	if cr.Outcomes["success"] != cr.Runs || cr.Cold.Outcomes["success"] != 2 {
		t.Errorf("outcomes %v, cold %v, errors %v", cr.Outcomes, cr.Cold.Outcomes, cr.Errors)
	}
	if cr.Fetch.RequestsPerRun != 1 || cr.Fetch.AnswerWaitPerRun <= 0 || cr.Fetch.Unstubbed != 0 || cr.RetainedBytes != nil {
		t.Errorf("fetch %+v, retained %v", cr.Fetch, cr.RetainedBytes)
	}

	// A request no stub answers fails, and is counted.
	other, err := hookbench.ParseStub("https://other.example.com/", []byte(`{}`))
	if err != nil {
		t.Fatal(err)
	}
	cfg.Stubs = []*hookbench.Stub{other}
	cfg.Cold = -1
	rep, err = hookbench.Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if cr := rep.Cases[0]; cr.Fetch.Unstubbed != int64(cr.Runs) || cr.Outcomes["success"] != 0 ||
		!strings.Contains(cr.Errors["callback_error"]+cr.Errors["thrown"], "no --stub answers GET [REDACTED]/profile") {
		t.Errorf("unstubbed %d of %d runs, outcomes %v, errors %v", cr.Fetch.Unstubbed, cr.Runs, cr.Outcomes, cr.Errors)
	}
}

// Bad input is refused before anything is measured, with errors that say
// what is wrong.
func TestRunRefuses(t *testing.T) {
	good := preUserCase(t, "metadata")
	compileErr := good
	compileErr.Hook.Script = string(read(t, "hooks", "errors", "compile-error.js"))
	unknown := good
	unknown.Hook.Trigger = "pre-login"
	notJSON := good
	notJSON.Input = []byte("{user:")
	tests := []struct {
		name string
		cfg  hookbench.Config
		want error
	}{
		{"no case", hookbench.Config{}, nil},
		{"negative count", hookbench.Config{Cases: []hookbench.Case{good}, Count: -1}, hookbench.ErrCount},
		{"compile error", hookbench.Config{Cases: []hookbench.Case{compileErr}, Count: 1}, engine.ErrCompile},
		{"unknown trigger", hookbench.Config{Cases: []hookbench.Case{unknown}, Count: 1}, engine.ErrUnknownTrigger},
		{"input not JSON", hookbench.Config{Cases: []hookbench.Case{notJSON}, Count: 1}, engine.ErrInvalidInput},
		{"same name twice", hookbench.Config{Cases: []hookbench.Case{good, good}, Count: 1}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep, err := hookbench.Run(context.Background(), tt.cfg)
			if err == nil || rep != nil {
				t.Fatalf("Run = %v, %v; want an error", rep, err)
			}
			if tt.want != nil && !errors.Is(err, tt.want) {
				t.Errorf("error %v, want %v", err, tt.want)
			}
		})
	}
}

func TestParseStub(t *testing.T) {
	tests := []struct {
		url, file string
		ok        bool
		status    int
		body      string
	}{
		{"https://api.example.com/", `{"body":"plain text"}`, true, 200, "plain text"},
		{"https://api.example.com/", `{"status":429,"headers":{"Retry-After":"1"}}`, true, 429, ""},
		{"https://api.example.com/", `[{"body":{"a":1}},{"status":500}]`, true, 200, `{"a":1}`},
		{"https://api.example.com/", `{"status":99}`, false, 0, ""},
		{"https://api.example.com/", `{"delay":"-1s"}`, false, 0, ""},
		{"https://api.example.com/", `{"headers":{"Bad Name":"x"}}`, false, 0, ""},
		{"https://api.example.com/", `{"stauts":200}`, false, 0, ""},
		{"https://api.example.com/", `[]`, false, 0, ""},
		{"https://api.example.com/", `null`, false, 0, ""},
		{"https://api.example.com/", `not json`, false, 0, ""},
		{"ftp://api.example.com/", `{}`, false, 0, ""},
		{"/relative", `{}`, false, 0, ""},
	}
	for _, tt := range tests {
		s, err := hookbench.ParseStub(tt.url, []byte(tt.file))
		if !tt.ok {
			if err == nil || !errors.Is(err, hookbench.ErrStub) {
				t.Errorf("ParseStub(%q, %s) = %v, want an ErrStub", tt.url, tt.file, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("ParseStub(%q, %s): %v", tt.url, tt.file, err)
			continue
		}
		if r := s.Responses[0]; r.Status != tt.status || string(r.Body) != tt.body {
			t.Errorf("ParseStub(%s) = status %d body %q, want %d %q", tt.file, r.Status, r.Body, tt.status, tt.body)
		}
	}
}

func TestGobenchName(t *testing.T) {
	for in, want := range map[string]string{
		"metadata.js":             "metadata.js",
		"my hook.js/input 1.json": "my_hook.js/input_1.json",
		"hook-2":                  "hook_2",
		"hook-v2.js":              "hook-v2.js",
	} {
		if got := hookbench.GobenchName(in); got != want {
			t.Errorf("GobenchName(%q) = %q, want %q", in, got, want)
		}
	}
}
