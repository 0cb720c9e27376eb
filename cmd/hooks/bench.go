package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"github.com/hookengine/hookengine/engine"
	"github.com/hookengine/hookengine/internal/hookbench"
	"github.com/hookengine/hookengine/triggers"
)

var benchCommand = &command{
	name:    "bench",
	summary: "measure what hook scripts cost: warm and cold runs, CPU, memory",
	run:     benchRun,
	usage:   benchUsage,
}

// Output formats of hooks bench.
const (
	formatTable   = "table"
	formatJSON    = "json"
	formatGobench = "gobench"
)

// benchOptions is the parsed command line of hooks bench.
type benchOptions struct {
	runOptions
	count       int
	time        durationFlag
	warmup      int
	concurrency int
	samples     int
	cold        int
	format      string
	inputDir    string
	stubs       stubsFlag
	scripts     []string
}

// stubsFlag collects --stub URL=FILE flags.
type stubsFlag []*hookbench.Stub

func (s *stubsFlag) String() string { return fmt.Sprint(len(*s), " stubs") }

func (s *stubsFlag) Set(v string) error {
	// The URL has colons, the file name may have '=': split at the last
	// '=' that follows the URL's scheme and host.
	i := strings.LastIndexByte(v, '=')
	if i <= 0 || i == len(v)-1 {
		return errors.New("want URL=FILE")
	}
	u, file := v[:i], v[i+1:]
	b, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	st, err := hookbench.ParseStub(u, b)
	if err != nil {
		return fmt.Errorf("%s: %v", file, err)
	}
	*s = append(*s, st)
	return nil
}

func parseBenchArgs(args []string) (*benchOptions, error) {
	o := &benchOptions{}
	fs := flag.NewFlagSet("hooks bench", flag.ContinueOnError)
	fs.SetOutput(io.Discard) // errors are reported by benchRun, help by benchUsage
	fs.Usage = func() {}
	addRunFlags(fs, &o.runOptions)
	fs.IntVar(&o.count, "count", 0, "warm runs measured per script")
	fs.Var(&o.time, "time", "how long each script's warm runs go on")
	fs.IntVar(&o.warmup, "warmup", hookbench.DefaultWarmup, "runs per script not counted")
	fs.IntVar(&o.concurrency, "concurrency", 1, "runs in flight at once")
	fs.IntVar(&o.samples, "samples", hookbench.DefaultSamples, "rounds the warm runs are split into")
	fs.IntVar(&o.cold, "cold", hookbench.DefaultCold, "cold runs per script")
	fs.StringVar(&o.format, "format", formatTable, "table, json or gobench")
	fs.StringVar(&o.inputDir, "input-dir", "", "directory of inputs (*.json)")
	fs.Var(&o.stubs, "stub", "answer fetch of URL from FILE, repeatable")
	positional, err := parseInterspersed(fs, args)
	if err != nil {
		return nil, err
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	switch {
	case o.trigger == "":
		return nil, fmt.Errorf("missing --trigger: one of %s", triggerList())
	case !isTrigger(o.trigger):
		return nil, fmt.Errorf("unknown trigger %q: valid triggers are %s", o.trigger, triggerList())
	case set["count"] && o.count < 1:
		return nil, fmt.Errorf("--count %d: the number of warm runs must be at least 1", o.count)
	case set["count"] && set["time"]:
		return nil, errors.New("--count and --time both given: give one")
	case o.concurrency < 1:
		return nil, fmt.Errorf("--concurrency %d: must be at least 1", o.concurrency)
	case o.warmup < 0:
		return nil, fmt.Errorf("--warmup %d: must be 0 or more", o.warmup)
	case o.samples < 1:
		return nil, fmt.Errorf("--samples %d: must be at least 1", o.samples)
	case o.cold < 0:
		return nil, fmt.Errorf("--cold %d: must be 0 or more", o.cold)
	case o.format != formatTable && o.format != formatJSON && o.format != formatGobench:
		return nil, fmt.Errorf("--format %q: must be %s, %s or %s", o.format, formatTable, formatJSON, formatGobench)
	case len(positional) == 0:
		return nil, errors.New("missing SCRIPT: the path of one or more hook .js files")
	}
	o.scripts = positional
	return o, nil
}

func isTrigger(id string) bool {
	_, ok := triggers.Lookup(triggers.ID(id))
	return ok
}

// benchInput is one input of the benchmark.
type benchInput struct {
	name string // "" for stdin
	body []byte
}

// benchInputs reads the inputs: every *.json file of --input-dir, or stdin.
func benchInputs(o *benchOptions, stdin io.Reader) ([]benchInput, error) {
	if o.inputDir == "" {
		b, err := readInput(stdin)
		if err != nil {
			return nil, err
		}
		return []benchInput{{body: b}}, nil
	}
	paths, err := filepath.Glob(filepath.Join(o.inputDir, "*.json"))
	if err != nil {
		return nil, err
	}
	if len(paths) == 0 {
		if _, err := os.Stat(o.inputDir); err != nil {
			return nil, fmt.Errorf("--input-dir: %v", err)
		}
		return nil, fmt.Errorf("--input-dir %s holds no *.json file", o.inputDir)
	}
	slices.Sort(paths)
	var ins []benchInput
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			return nil, fmt.Errorf("--input-dir: %v", err)
		}
		if err := checkJSON(b, p); err != nil {
			return nil, err
		}
		ins = append(ins, benchInput{name: filepath.Base(p), body: b})
	}
	return ins, nil
}

// scriptLabels names the scripts in reports: their base names, or the paths
// as given when two base names are the same.
func scriptLabels(scripts []string) []string {
	labels := make([]string, len(scripts))
	seen := map[string]int{}
	for i, s := range scripts {
		labels[i] = filepath.Base(s)
		seen[labels[i]]++
	}
	for i, s := range scripts {
		if seen[labels[i]] > 1 {
			labels[i] = filepath.ToSlash(filepath.Clean(s))
		}
	}
	return labels
}

// benchRun implements hooks bench.
func benchRun(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	o, err := parseBenchArgs(args)
	if errors.Is(err, flag.ErrHelp) {
		benchUsage(stdout)
		return exitOK
	}
	if err != nil {
		return usageErrorf(stderr, "bench", "%v", err)
	}
	inputs, err := benchInputs(o, stdin)
	if err != nil {
		return usageErrorf(stderr, "bench", "%v", err)
	}
	labels := scriptLabels(o.scripts)
	var cases []hookbench.Case
	for i, path := range o.scripts {
		script, err := os.ReadFile(path)
		if err != nil {
			return usageErrorf(stderr, "bench", "cannot read SCRIPT: %v", err)
		}
		for _, in := range inputs {
			name := labels[i]
			if in.name != "" {
				name += "/" + in.name
			}
			cases = append(cases, hookbench.Case{
				Name: name,
				Hook: engine.Hook{
					Name:    strings.TrimSuffix(filepath.Base(path), ".js"),
					Trigger: triggers.ID(o.trigger),
					Script:  string(script),
					Secrets: o.secrets,
				},
				Input: in.body,
			})
		}
	}
	opts, fetchOpts, closeModules, err := o.engineOptions(stderr)
	if err != nil {
		return usageErrorf(stderr, "bench", "%v", err)
	}
	defer closeModules()

	ctx, stop := signalContext()
	defer stop()

	cfg := hookbench.Config{
		Cases:       cases,
		Options:     opts,
		Limits:      o.limits(),
		Fetch:       fetchOpts,
		Stubs:       o.stubs,
		Isolation:   string(o.isolation),
		Count:       o.count,
		Time:        time.Duration(o.time),
		Warmup:      o.warmup,
		Samples:     o.samples,
		Concurrency: o.concurrency,
		Cold:        o.cold,
	}
	if o.warmup == 0 {
		cfg.Warmup = -1
	}
	if o.cold == 0 {
		cfg.Cold = -1
	}
	bar := newProgress(stderr)
	if bar != nil {
		cfg.Progress = bar.update
	}
	rep, err := hookbench.Run(ctx, cfg)
	bar.finish()
	switch {
	case errors.Is(err, engine.ErrCompile) || errors.Is(err, engine.ErrNoHookFunction):
		fmt.Fprintf(stderr, "hooks: %v\n", err)
		return exitFailure
	case ctx.Err() != nil:
		fmt.Fprintln(stderr, "hooks: interrupted: the benchmark was cancelled")
		return exitFailure
	case err != nil:
		fmt.Fprintf(stderr, "hooks: %v\n", err)
		return exitFailure
	}
	switch o.format {
	case formatJSON:
		err = rep.WriteJSON(stdout)
	case formatGobench:
		err = rep.WriteGobench(stdout)
	default:
		err = rep.WriteTable(stdout)
	}
	if err != nil {
		fmt.Fprintf(stderr, "hooks: writing the report: %v\n", err)
		return exitFailure
	}
	return exitOK
}

// progress is the progress bar hooks bench draws on a terminal.
type progress struct {
	w   io.Writer
	bar *progressbar.ProgressBar
}

// newProgress returns a progress bar on stderr when it is a terminal, nil
// otherwise (piped, redirected, in tests).
func newProgress(stderr io.Writer) *progress {
	f, ok := stderr.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return nil
	}
	return &progress{w: stderr}
}

func (p *progress) update(done, total int) {
	if p.bar == nil {
		p.bar = progressbar.NewOptions(total,
			progressbar.OptionSetWriter(p.w),
			progressbar.OptionSetDescription("measuring"),
			progressbar.OptionSetPredictTime(true),
			progressbar.OptionClearOnFinish(),
		)
	}
	_ = p.bar.Set(done)
}

func (p *progress) finish() {
	if p == nil || p.bar == nil {
		return
	}
	_ = p.bar.Finish()
	_ = p.bar.Exit()
}

// benchUsage writes the help of hooks bench.
func benchUsage(w io.Writer) {
	fmt.Fprintf(w, `Usage: hooks bench --trigger ID [--secret NAME=VALUE]... [--count N | --time D]
                   [--warmup N] [--concurrency C] [--samples N] [--cold N]
                   [--format table|json|gobench] [--input-dir DIR]
                   [--stub URL=FILE]... [--timeout D] [--cpu D]
                   [--allow-host HOST|CIDR]... [--modules DIR]
                   [--isolation in-process|process] [--verbose]
                   SCRIPT... [< INPUT.json]

Measure what each hook script SCRIPT costs on the trigger input read as JSON
from stdin (or on each input of --input-dir): warm runs, after warm-up runs
that are not counted, in rounds, the scripts interleaved round by round;
then cold runs, each the first run on a new engine (compile, new runtime,
run); then the memory a warm hook keeps. With several scripts or inputs, each
is compared with the first: the ratio of the medians and a Mann-Whitney U
test, as benchstat does.

For each script (and input) it reports: wall time per warm run (mean ±
standard deviation, median, p90, p99, min, max), CPU time per run and its
share of the CPU limit, heap allocations and bytes per run (of this process:
with --isolation process, the caller's side), the memory a warm hook keeps
(in-process only), the cold runs, throughput at --concurrency, how runs
ended (success, callback_error, thrown, cpu_time_exceeded, ...), the
outliers (runs outside Tukey's fences: reported, and counted in every
figure), and what fetch cost.

Flags (and every flag of hooks run: --secret, --timeout, --cpu, --allow-host,
--modules, --isolation, --verbose):
  --trigger ID         extensibility point of the scripts (required)
  --count N            warm runs measured per script and input (at least 1)
  --time D             how long each script's warm runs go on, such as 2s,
                       when --count is not given (default %v)
  --warmup N           runs per script not counted (default %d)
  --concurrency C      runs in flight at once; latencies are measured under
                       that load (default 1)
  --samples N          rounds the warm runs are split into: the samples of
                       --format gobench (default %d)
  --cold N             cold runs per script (default %d)
  --format F           table (default), json (the whole report, times in
                       nanoseconds), or gobench: Go benchmark lines that
                       benchstat reads, one per round, named after the
                       script's file name, so that
                         hooks bench old/hook.js > old.txt
                         hooks bench new/hook.js > new.txt
                         benchstat old.txt new.txt
                       compares the two versions
  --input-dir DIR      measure every script on every *.json file of DIR
                       instead of stdin
  --stub URL=FILE      answer the hooks' fetch requests whose URL starts with
                       URL from FILE instead of the network; once any stub is
                       given, a request no stub matches fails. FILE holds one
                       JSON object, or an array of them answered in turn:
                         {"status":200,"headers":{"X-RateLimit-Remaining":"9"},
                          "body":{...} or "text","delay":"20ms"}
                       The throttle obeys the rate-limit headers as it would
                       the real API's; fetch waits (throttle and delay) are
                       reported apart from the script's own time. Repeatable
  -h, --help           show this help

A progress bar is drawn on stderr when it is a terminal.

Exit status:
  0  the benchmark ran (whatever the runs ended with: see outcomes)
  1  a script does not compile, the benchmark was interrupted or failed
  2  usage error: unknown flag or trigger, --count below 1, an unreadable
     SCRIPT, an input that is not JSON, a bad stub file

Example:
  hooks bench --trigger pre-user-registration --count 2000 \
      old/hook.js new/hook.js < signup.json
`, hookbench.DefaultTime, hookbench.DefaultWarmup, hookbench.DefaultSamples, hookbench.DefaultCold)
}
