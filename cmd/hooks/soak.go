package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"time"

	"github.com/hookengine/hookengine/engine"
	"github.com/hookengine/hookengine/internal/soak"
)

var soakCommand = &command{
	name:    "soak",
	summary: "run a mixed load of normal and hostile hooks and check every result",
	run:     soakRun,
	usage:   soakUsage,
}

// soakOptions is the parsed command line of hooks soak.
type soakOptions struct {
	duration  durationFlag
	wallTime  durationFlag
	workers   int
	json      bool
	seed      uint64
	testdata  string
	isolation isolationFlag
}

func newSoakFlags(o *soakOptions) *flag.FlagSet {
	o.duration = durationFlag(soak.DefaultDuration)
	fs := flag.NewFlagSet("hooks soak", flag.ContinueOnError)
	fs.SetOutput(io.Discard) // errors are reported by soakRun, help by soakUsage
	fs.Usage = func() {}
	fs.Var(&o.duration, "duration", "how long new runs are started")
	o.wallTime = durationFlag(soak.DefaultWallTime)
	fs.Var(&o.wallTime, "wall-time", "the wall-time limit of every run")
	fs.IntVar(&o.workers, "workers", 0, "goroutines running hooks at once")
	fs.BoolVar(&o.json, "json", false, "print the report as JSON")
	fs.Uint64Var(&o.seed, "seed", 0, "seed of the mix and the inputs")
	fs.StringVar(&o.testdata, "testdata", "", "the repository's testdata directory")
	o.isolation = isolationInProcess
	fs.Var(&o.isolation, "isolation", "where hooks run: in-process or process")
	return fs
}

func parseSoakArgs(args []string) (*soakOptions, error) {
	o := &soakOptions{}
	fs := newSoakFlags(o)
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected argument %q: soak takes flags only", fs.Arg(0))
	}
	if o.workers < 0 {
		return nil, fmt.Errorf("invalid value %d for flag -workers: must be positive", o.workers)
	}
	return o, nil
}

// soakRun implements hooks soak.
func soakRun(args []string, _ io.Reader, stdout, stderr io.Writer) int {
	o, err := parseSoakArgs(args)
	if errors.Is(err, flag.ErrHelp) {
		soakUsage(stdout)
		return exitOK
	}
	if err != nil {
		return usageErrorf(stderr, "soak", "%v", err)
	}
	td := o.testdata
	if td == "" {
		if td, err = soak.FindTestdata("."); err != nil {
			return usageErrorf(stderr, "soak", "%v; give --testdata", err)
		}
	} else if fi, err := os.Stat(td); err != nil || !fi.IsDir() {
		return usageErrorf(stderr, "soak", "--testdata %s is not a directory", td)
	}

	ctx, stop := signalContext()
	defer stop()

	cfg := soak.Config{
		Duration: time.Duration(o.duration),
		Limits:   engine.Limits{WallTime: time.Duration(o.wallTime)},
		Workers:  o.workers,
		Testdata: td,
		Seed:     o.seed,
		Progress: stderr,
	}
	if o.isolation == isolationProcess {
		cfg.Isolation = &engine.ProcessIsolation{}
	}
	rep, err := soak.Run(ctx, cfg)
	if err != nil {
		fmt.Fprintf(stderr, "hooks: %v\n", err)
		return exitFailure
	}
	if o.json {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		err = enc.Encode(rep)
	} else {
		err = rep.WriteText(stdout)
	}
	if err != nil {
		fmt.Fprintf(stderr, "hooks: writing the report: %v\n", err)
		return exitFailure
	}
	if !rep.OK() {
		return exitFailure
	}
	return exitOK
}

func soakUsage(w io.Writer) {
	fmt.Fprintf(w, `Usage: hooks soak [--duration DURATION] [--wall-time DURATION] [--workers N]
                  [--json] [--seed N] [--testdata DIR]
                  [--isolation in-process|process]

Run a mixed load of hooks on one engine for a bounded time and check every
result against its own input. Workers run hooks one after the other, each
run picking a hook by weight: 95%% normal hooks of testdata/soak (metadata,
claims, a denial, timers and promises, an SMS provider, work after the
callback, RunAsync) and 5%% hostile ones (busy loops, memory bombs,
recursion, no callback, ReDoS, tampering with built-ins), all under short
limits: CPU %v, wall %v, memory %d MiB. Each normal run's input
carries a unique token that the hook echoes; a result must equal what its
input implies, and a hostile run must end with its expected error class.

Flags:
  --duration DURATION  how long new runs are started, such as 5s or 2m;
                       runs in progress then finish (default %s)
  --wall-time DURATION the wall-time limit of every run (default %v); a
                       longer one keeps a machine too loaded to give a
                       normal run a core in time from ending it there
  --workers N          goroutines running hooks at once (default twice
                       GOMAXPROCS, here %d)
  --json               print the report as one JSON object (default false:
                       text)
  --seed N             seed of the choice of hooks and inputs (default 0:
                       from the clock; the report gives the seed used)
  --testdata DIR       the repository's testdata directory, which holds
                       soak/ and hostile/ (default: found from the working
                       directory upward)
  --isolation MODE     where hooks run: in-process, or process: in worker
                       processes (GOMAXPROCS of them, at least 2) that are
                       killed when a run passes its limits; the checks are
                       the same (default in-process)
  -h, --help           show this help

Output (stdout): runs per second; latency p50, p99 and max, overall, by
kind (normal, async, hostile) and by hook; how runs ended, by error class;
the checks (lost, duplicated, crossed and mismatched results, unexpected
endings, stuck runs); goroutines and live heap (after a forced GC) cold, at
the baseline (after a first engine ran every hook and closed), after the
load and after the engine closed. A progress line goes to stderr every
10 s. SIGINT or SIGTERM ends the load early; the report covers what ran.

Exit status:
  0  every check passed, and goroutines and heap came back to the baseline
     (goroutines exactly, heap within %d MiB)
  1  a check failed, goroutines or heap did not come back, or the soak
     could not start
  2  usage error: an unknown flag or argument, a bad value, no testdata
`, soak.DefaultCPUTime, soak.DefaultWallTime, soak.DefaultMemory>>20, shortDuration(soak.DefaultDuration),
		soak.DefaultWallTime, 2*runtime.GOMAXPROCS(0), soak.DefaultHeapTolerance>>20)
}

// shortDuration writes whole seconds as "60s" rather than "1m0s".
func shortDuration(d time.Duration) string {
	if d%time.Second == 0 {
		return fmt.Sprintf("%ds", d/time.Second)
	}
	return d.String()
}
