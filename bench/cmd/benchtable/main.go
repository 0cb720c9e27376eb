// Command benchtable runs every contender of hookengine's benchmarks in one
// invocation, the Go benchmarks (with -benchmem) and the Node harness, and
// prints the results as Markdown tables: time per call, allocations and the
// ratio to hookengine per scenario, the CPU-limit latency distribution, the
// memory a warm hook keeps, the parallel speed-up, and the targets
// with whether this run meets them.
//
// Run it from the bench module:
//
//	cd bench && go run ./cmd/benchtable
//
// The raw benchmark output is kept in -out (go.txt and node.txt) for
// benchstat. Progress goes to standard error, the tables to standard output.
package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/hookengine/hookengine/internal/sysinfo"
)

func main() {
	var o options
	flag.DurationVar(&o.benchtime, "benchtime", 500*time.Millisecond, "how long each timed benchmark runs")
	flag.IntVar(&o.count, "count", 1, "runs of each timed benchmark; the tables show the median")
	flag.IntVar(&o.latencyRuns, "latency-runs", 100, "runs of the endless hook per contender")
	flag.StringVar(&o.out, "out", "results", "directory for the raw benchmark output (go.txt, node.txt)")
	flag.StringVar(&o.node, "node", "node", "the Node 20 binary; empty skips the Node contenders")
	flag.StringVar(&o.version, "version", "", "the hookengine version to print (default: git describe of the parent directory)")
	flag.StringVar(&o.contenders, "contenders", "", "run only the contenders whose names match this regexp")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, o, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "benchtable:", err)
		os.Exit(1)
	}
}

type options struct {
	benchtime   time.Duration
	latencyRuns int
	count       int
	out         string
	node        string
	contenders  string
	version     string
}

// The Go benchmark groups, each run with its own -benchtime.
const (
	timedBenchmarks   = `^Benchmark(Warm|Cold|CPUHeavy|AsyncTimer|Parallel|OneCore|Fetch)`
	memoryBenchmarks  = `^BenchmarkRetainedMemory$`
	latencyBenchmarks = `^BenchmarkCPULimitLatency$`
)

func run(ctx context.Context, o options, stdout, stderr io.Writer) error {
	if _, err := os.Stat(filepath.Join("testdata", "workloads.json")); err != nil {
		return errors.New("run it from the bench directory: cd bench && go run ./cmd/benchtable")
	}
	if err := os.MkdirAll(o.out, 0o755); err != nil {
		return err
	}
	started := time.Now()
	env := describeMachine(ctx, o.node)
	if o.version != "" {
		env.commit = o.version
	}

	tmp, err := os.MkdirTemp("", "benchtable")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	bin := filepath.Join(tmp, "bench.test")
	fmt.Fprintln(stderr, "# building the benchmarks")
	if err := command(ctx, stderr, nil, "go", "test", "-c", "-o", bin, "."); err != nil {
		return err
	}

	var goOut bytes.Buffer
	groups := []struct {
		bench, benchtime string
		count            int
	}{
		{timedBenchmarks, o.benchtime.String(), o.count},
		{memoryBenchmarks, "1x", 1},
		{latencyBenchmarks, fmt.Sprintf("%dx", o.latencyRuns), 1},
	}
	for _, g := range groups {
		bench := g.bench
		if o.contenders != "" {
			// go test splits -bench on slashes, one part per level.
			bench += "/(" + o.contenders + ")$"
		}
		args := []string{"-test.run", "^$", "-test.bench", bench, "-test.benchmem",
			"-test.benchtime", g.benchtime, "-test.count", strconv.Itoa(g.count)}
		fmt.Fprintf(stderr, "# %s %s\n", bin, strings.Join(args, " "))
		if err := command(ctx, io.MultiWriter(&goOut, stderr), nil, bin, args...); err != nil {
			return err
		}
	}
	if err := os.WriteFile(filepath.Join(o.out, "go.txt"), goOut.Bytes(), 0o644); err != nil {
		return err
	}

	var nodeOut bytes.Buffer
	if o.node != "" {
		failures, err := runNode(ctx, o, &nodeOut, stderr)
		if err != nil {
			return err
		}
		env.nodeFailures = failures
		if err := os.WriteFile(filepath.Join(o.out, "node.txt"), nodeOut.Bytes(), 0o644); err != nil {
			return err
		}
	}

	res := parse(&goOut)
	res.merge(parse(&nodeOut))
	env.duration = time.Since(started).Round(time.Second)
	env.loadEnd = loadAverage()
	env.benchtime = o.benchtime
	env.latencyRuns = o.latencyRuns
	env.count = o.count
	fmt.Fprint(stdout, render(env, res))
	return nil
}

// nodeAttempts bounds the runs of the Node harness: isolated-vm 5.0.4 can
// crash the process (see README.md), and a rerun only runs the benchmarks the
// crashed one had not finished.
const nodeAttempts = 3

// runNode runs the Node harness, rerunning what a crash left unfinished. It
// returns the failures it recovered from.
func runNode(ctx context.Context, o options, out *bytes.Buffer, stderr io.Writer) (failures []string, err error) {
	flags := []string{"--no-node-snapshot", "--expose-gc", "harness.js",
		fmt.Sprintf("--benchtime=%d", o.benchtime.Milliseconds()),
		fmt.Sprintf("--latency-runs=%d", o.latencyRuns),
		fmt.Sprintf("--count=%d", o.count)}
	var filter []string
	if o.contenders != "" {
		filter = []string{"--bench=/(" + o.contenders + ")$"}
	}
	inNode := func(c *exec.Cmd) { c.Dir = "node" }
	var list bytes.Buffer
	if err := command(ctx, &list, inNode, o.node, append(append(slices.Clone(flags), "--list"), filter...)...); err != nil {
		return nil, err
	}
	planned := strings.Fields(list.String())
	for attempt := 1; attempt <= nodeAttempts && len(planned) > 0; attempt++ {
		args := append(slices.Clone(flags), filter...)
		if attempt > 1 {
			args = append(slices.Clone(flags), "--bench=^("+strings.Join(planned, "|")+")$")
		}
		fmt.Fprintf(stderr, "# (cd node && %s %s)\n", o.node, strings.Join(args, " "))
		runErr := command(ctx, io.MultiWriter(out, stderr), inNode, o.node, args...)
		if runErr == nil {
			return failures, nil
		}
		if ctx.Err() != nil {
			return failures, runErr
		}
		failures = append(failures, runErr.Error())
		done := parse(bytes.NewReader(out.Bytes()))
		planned = slices.DeleteFunc(planned, func(name string) bool {
			scenario, contender, _ := strings.Cut(name, "/")
			r := done.get(scenario, contender)
			want := 1
			if !strings.HasPrefix(name, "CPULimitLatency/") && !strings.HasPrefix(name, "RetainedMemory/") {
				want = o.count
			}
			return r != nil && r.runs() >= want
		})
		fmt.Fprintf(stderr, "# the Node harness failed (%v); %d benchmarks left to rerun\n", runErr, len(planned))
	}
	if len(planned) > 0 {
		failures = append(failures, fmt.Sprintf("gave up after %d attempts; missing: %s", nodeAttempts, strings.Join(planned, ", ")))
	}
	return failures, nil
}

// command runs name with args, its output to w. Cancelling ctx kills it.
func command(ctx context.Context, w io.Writer, set func(*exec.Cmd), name string, args ...string) error {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Stdout = w
	cmd.Stderr = w
	cmd.WaitDelay = 5 * time.Second
	if set != nil {
		set(cmd)
	}
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	return nil
}

// machine describes where and when the run happened.
type machine struct {
	date         string
	goVersion    string
	nodeVersion  string
	cpu          string
	cores        int
	commit       string
	duration     time.Duration
	benchtime    time.Duration
	latencyRuns  int
	count        int
	loadStart    string
	loadEnd      string
	nodeFailures []string
}

func describeMachine(ctx context.Context, node string) machine {
	m := machine{
		date:      time.Now().UTC().Format("2006-01-02 15:04 MST"),
		goVersion: runtime.Version(),
		cores:     runtime.NumCPU(),
		cpu:       sysinfo.CPUModel(),
		loadStart: loadAverage(),
	}
	if node != "" {
		if out, err := exec.CommandContext(ctx, node, "--version").Output(); err == nil {
			m.nodeVersion = strings.TrimSpace(string(out))
		}
	}
	if out, err := exec.CommandContext(ctx, "git", "-C", "..", "describe", "--always", "--dirty").Output(); err == nil {
		m.commit = strings.TrimSpace(string(out))
	}
	return m
}

// loadAverage is the one-minute load average, which says how busy the
// machine was besides the benchmarks.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return ""
	}
	fields := strings.Fields(string(b))
	if len(fields) == 0 {
		return ""
	}
	return fields[0]
}
