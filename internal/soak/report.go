package soak

import (
	"fmt"
	"io"
	"maps"
	"runtime"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/hookengine/hookengine/engine"
	"github.com/hookengine/hookengine/internal/sysinfo"
)

// Report is what a soak found.
type Report struct {
	Date        time.Time     `json:"date"`
	Machine     Machine       `json:"machine"`
	Config      ReportConfig  `json:"config"`
	Elapsed     time.Duration `json:"elapsed_ns"`
	Interrupted bool          `json:"interrupted,omitempty"`

	// Runs counts the results: the values Run returned, and for RunAsync
	// hooks the console lines that are their result.
	Runs          uint64  `json:"runs"`
	RunsPerSecond float64 `json:"runs_per_second"`
	// Latency is that of every run; ByKind splits it into normal,
	// hostile and async (RunAsync to console line) runs.
	Latency Latency             `json:"latency"`
	ByKind  map[Kind]Latency    `json:"latency_by_kind"`
	Hooks   []HookReport        `json:"hooks"`
	Ends    map[string]uint64   `json:"ends"` // by class: ok, callback_error, or the engine error's code
	Slow    int64               `json:"slow_runs"`
	Checks  Checks              `json:"checks"`
	Samples map[string][]string `json:"samples,omitempty"`
	Engine  engine.Stats        `json:"engine"`
	Logs    map[string]int64    `json:"engine_log_lines"`
	Memory  MemoryReport        `json:"memory"`
	Fail    []string            `json:"failures"`
}

// Machine describes where the soak ran.
type Machine struct {
	CPU        string `json:"cpu"`
	CPUs       int    `json:"cpus"`
	GOMAXPROCS int    `json:"gomaxprocs"`
	OS         string `json:"os"`
	Go         string `json:"go"`
	Race       bool   `json:"race,omitempty"`
}

// ReportConfig is the configuration the soak ran with.
type ReportConfig struct {
	Duration      time.Duration `json:"duration_ns"`
	Workers       int           `json:"workers"`
	CPUTime       time.Duration `json:"cpu_limit_ns"`
	WallTime      time.Duration `json:"wall_limit_ns"`
	Memory        int64         `json:"memory_limit_bytes"`
	Seed          uint64        `json:"seed"`
	HostileShare  float64       `json:"hostile_share"`
	HeapTolerance int64         `json:"heap_tolerance_bytes"`
	// Isolation is "in-process" or "process" (worker processes).
	Isolation string `json:"isolation"`
}

// HookReport is one hook of the mix.
type HookReport struct {
	Name    string            `json:"name"`
	Kind    Kind              `json:"kind"`
	Weight  int               `json:"weight"`
	Latency Latency           `json:"latency"`
	Ends    map[string]uint64 `json:"ends"`
}

// Checks counts the runs whose result was wrong, and how.
type Checks struct {
	Started int64 `json:"started"`
	// Lost runs never produced a result; Duplicated produced a second one
	// (a second console line); Crossed results carry another run's
	// token; Mismatched ones are wrong otherwise.
	Lost       int64 `json:"lost"`
	Duplicated int64 `json:"duplicated"`
	Crossed    int64 `json:"crossed"`
	Mismatched int64 `json:"mismatched"`
	// Unexpected runs ended in a way their hook cannot (a normal hook at a
	// limit, a busy loop without error, ...); Inconsistent results
	// disagree with the error Run returned; Stuck runs lasted ten times
	// their wall-time limit; Internal counts panics in the engine.
	Unexpected   int64 `json:"unexpected"`
	Inconsistent int64 `json:"inconsistent"`
	Stuck        int64 `json:"stuck"`
	Internal     int64 `json:"internal"`
	// Lines counts the console lines matched to their run (background
	// work of notify.js, RunAsync runs of audit.js); LinesStopped counts
	// those never written because a limit stopped the background work or
	// the RunAsync run failed (each also counted as Unexpected).
	// MemoryCharged counts hostile runs that ended at the memory limit
	// although their script does not grow the heap: the engine counts the
	// growth of the whole process, other runs' included (documented), so
	// a busy loop running beside memory bombs may be charged for theirs.
	// Not a failure; normal hooks ending so are unexpected.
	MemoryCharged int64 `json:"memory_charged"`
	Lines         int64 `json:"lines"`
	LinesStopped  int64 `json:"lines_stopped"`
}

// MemoryReport compares goroutines and live heap with their baseline.
type MemoryReport struct {
	// Cold is before anything ran; Baseline after an engine ran every
	// hook once and was closed (what the process sets up once is then
	// in place); AfterRun when the last run returned, the engine still
	// open; AfterClose once it is closed and dropped.
	Cold       Snapshot `json:"cold"`
	Baseline   Snapshot `json:"baseline"`
	AfterRun   Snapshot `json:"after_run"`
	AfterClose Snapshot `json:"after_close"`
	// HeapTolerance is how far over the baseline the live heap may be
	// after close; goroutines must be back to the baseline exactly.
	HeapTolerance  int64  `json:"heap_tolerance_bytes"`
	GoroutinesBack bool   `json:"goroutines_back"`
	HeapBack       bool   `json:"heap_back"`
	Dump           string `json:"goroutine_dump,omitempty"`
}

// OK reports whether the soak found nothing wrong.
func (r *Report) OK() bool { return len(r.Fail) == 0 }

func reportConfig(c *Config, w *workload) ReportConfig {
	hostile := 0
	for _, s := range w.specs {
		if s.kind == Hostile {
			hostile += s.weight
		}
	}
	isolation := "in-process"
	if c.Isolation != nil {
		isolation = "process"
	}
	return ReportConfig{
		Duration: c.Duration, Workers: c.Workers, CPUTime: c.Limits.CPUTime, WallTime: c.Limits.WallTime,
		Memory: c.Limits.Memory, Seed: c.Seed, HostileShare: float64(hostile) / float64(w.total), HeapTolerance: c.HeapTolerance,
		Isolation: isolation,
	}
}

// fill completes the report from the workers' counters and the problems.
func (s *soaker) fill(r *Report, stoppedLines int64) {
	r.Machine = Machine{CPU: sysinfo.CPUModel(), CPUs: runtime.NumCPU(), GOMAXPROCS: runtime.GOMAXPROCS(0),
		OS: runtime.GOOS + "/" + runtime.GOARCH, Go: runtime.Version(), Race: raceEnabled}
	// The ledger's counts, read under its lock: a runtime abandoned during
	// the soak may come back and log while the report is filled.
	l := s.lines
	l.mu.Lock()
	async, asyncFailed, lines, warnings, errs := l.async, l.asyncFailed, l.lines, l.warnings, l.errors
	l.mu.Unlock()
	var all histogram
	kinds := map[Kind]*histogram{}
	r.Ends = map[string]uint64{}
	for i, sp := range s.load.specs {
		var h histogram
		var ends [numClasses]uint64
		for _, w := range s.workers {
			h.merge(&w.hists[i])
			for c, n := range w.ends[i] {
				ends[c] += n
			}
		}
		if sp.kind == Async {
			h = async
			ends[classOK] = h.n
			ends[classOther] += uint64(asyncFailed) // failures: the log does not give their class
		}
		hr := HookReport{Name: sp.name, Kind: sp.kind, Weight: sp.weight, Latency: h.latency(), Ends: map[string]uint64{}}
		for c, n := range ends {
			if n > 0 {
				hr.Ends[class(c).String()] += n
				r.Ends[class(c).String()] += n
			}
		}
		r.Hooks = append(r.Hooks, hr)
		all.merge(&h)
		if kinds[sp.kind] == nil {
			kinds[sp.kind] = &histogram{}
		}
		kinds[sp.kind].merge(&h)
	}
	r.Runs = all.n
	r.Latency = all.latency()
	if r.Elapsed > 0 {
		r.RunsPerSecond = float64(all.n) / r.Elapsed.Seconds()
	}
	r.ByKind = map[Kind]Latency{}
	for k, h := range kinds {
		r.ByKind[k] = h.latency()
	}

	var started, finished int64
	for _, w := range s.workers {
		started += w.started.Load()
		finished += w.finished.Load()
		r.Slow += w.slow
	}
	p := s.problems
	if lost := started - finished; lost > 0 {
		p.add(probLost, fmt.Sprintf("%d runs never returned", lost))
		p.mu.Lock()
		p.counts[probLost] += lost - 1
		p.mu.Unlock()
	}
	r.Checks = Checks{
		Started:       started,
		Lost:          p.count(probLost),
		Duplicated:    p.count(probDuplicated),
		Crossed:       p.count(probCrossed),
		Mismatched:    p.count(probMismatch),
		Unexpected:    p.count(probUnexpected),
		Inconsistent:  p.count(probInconsistent),
		Stuck:         p.count(probStuck),
		Internal:      p.count(probInternal),
		MemoryCharged: p.count(probMemoryCharged),
		Lines:         lines,
		LinesStopped:  stoppedLines,
	}
	r.Samples = maps.Clone(p.samples)
	r.Logs = map[string]int64{"warn": warnings, "error": errs}

	m := &r.Memory
	m.HeapTolerance = s.cfg.HeapTolerance
	m.GoroutinesBack = m.AfterClose.Goroutines <= m.Baseline.Goroutines
	m.HeapBack = int64(m.AfterClose.HeapLive) <= int64(m.Baseline.HeapLive)+s.cfg.HeapTolerance

	c := r.Checks
	for _, f := range []struct {
		n    int64
		what string
	}{
		{c.Lost, "lost results"}, {c.Duplicated, "duplicated results"}, {c.Crossed, "crossed results"},
		{c.Mismatched, "mismatched results"}, {c.Unexpected, "runs ended unexpectedly"},
		{c.Inconsistent, "results inconsistent with their error"}, {c.Stuck, "stuck runs"}, {c.Internal, "internal errors"},
	} {
		if f.n > 0 {
			r.Fail = append(r.Fail, fmt.Sprintf("%d %s", f.n, f.what))
		}
	}
	if !m.GoroutinesBack {
		r.Fail = append(r.Fail, fmt.Sprintf("goroutines not back to baseline: %d after close, baseline %d", m.AfterClose.Goroutines, m.Baseline.Goroutines))
	}
	if !m.HeapBack {
		r.Fail = append(r.Fail, fmt.Sprintf("live heap not back to baseline: %s after close, baseline %s, tolerance %s",
			mib(m.AfterClose.HeapLive), mib(m.Baseline.HeapLive), mib(uint64(m.HeapTolerance))))
	}
	if r.Runs == 0 {
		r.Fail = append(r.Fail, "no run finished")
	}
	if r.Fail == nil {
		r.Fail = []string{}
	}
}

func mib(b uint64) string { return fmt.Sprintf("%.1f MiB", float64(b)/(1<<20)) }

func ms(d time.Duration) string {
	switch {
	case d == 0:
		return "0"
	case d < time.Millisecond:
		return fmt.Sprintf("%.3f ms", float64(d)/1e6)
	case d < 10*time.Second:
		return fmt.Sprintf("%.1f ms", float64(d)/1e6)
	}
	return d.Round(time.Second).String()
}

// WriteText writes the report for people.
func (r *Report) WriteText(w io.Writer) error {
	var b strings.Builder
	c := r.Config
	fmt.Fprintf(&b, "hooks soak, %s\n", r.Date.Format("2006-01-02 15:04 MST"))
	race := ""
	if r.Machine.Race {
		race = ", race detector on"
	}
	fmt.Fprintf(&b, "machine: %d CPUs (GOMAXPROCS %d), %s, %s, %s%s\n", r.Machine.CPUs, r.Machine.GOMAXPROCS, r.Machine.CPU, r.Machine.OS, r.Machine.Go, race)
	fmt.Fprintf(&b, "load: %v with %d workers, %.0f%% hostile runs; limits CPU %v, wall %v, memory %s; seed %d; isolation %s\n",
		c.Duration, c.Workers, 100*c.HostileShare, c.CPUTime, c.WallTime, mib(uint64(c.Memory)), c.Seed, c.Isolation)
	if r.Interrupted {
		b.WriteString("interrupted: the load stopped early\n")
	}
	fmt.Fprintf(&b, "\nruns: %d in %v, %.0f runs/s\n", r.Runs, r.Elapsed.Round(time.Millisecond), r.RunsPerSecond)

	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "latency\truns\tp50\tp99\tmax\t")
	fmt.Fprintf(tw, "all\t%d\t%s\t%s\t%s\t\n", r.Latency.Runs, ms(r.Latency.P50), ms(r.Latency.P99), ms(r.Latency.Max))
	for _, k := range []Kind{Normal, Async, Hostile} {
		if l, ok := r.ByKind[k]; ok {
			fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%s\t\n", k, l.Runs, ms(l.P50), ms(l.P99), ms(l.Max))
		}
	}
	_ = tw.Flush()

	b.WriteString("\nby hook:\n")
	tw = tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "  hook\tkind\truns\tp50\tp99\tmax\tended with")
	for _, h := range r.Hooks {
		fmt.Fprintf(tw, "  %s\t%s\t%d\t%s\t%s\t%s\t%s\n", h.Name, h.Kind, h.Latency.Runs, ms(h.Latency.P50), ms(h.Latency.P99), ms(h.Latency.Max), ends(h.Ends))
	}
	_ = tw.Flush()
	fmt.Fprintf(&b, "\nends: %s\n", ends(r.Ends))
	fmt.Fprintf(&b, "runs past their wall-time limit + %v: %d\n", lateSlack, r.Slow)

	k := r.Checks
	fmt.Fprintf(&b, "\nchecks: %d runs started; lost %d, duplicated %d, crossed %d, mismatched %d, unexpected %d, inconsistent %d, stuck %d, internal errors %d\n",
		k.Started, k.Lost, k.Duplicated, k.Crossed, k.Mismatched, k.Unexpected, k.Inconsistent, k.Stuck, k.Internal)
	fmt.Fprintf(&b, "hostile runs charged for the heap growth of others (memory_exceeded instead of their own limit, not a failure): %d\n", k.MemoryCharged)
	fmt.Fprintf(&b, "console lines matched to their run: %d (stopped by a limit: %d)\n", k.Lines, k.LinesStopped)
	for _, cat := range slices.Sorted(maps.Keys(r.Samples)) {
		if cat == probMemoryCharged {
			continue // not a failure; the JSON report has them
		}
		for _, s := range r.Samples[cat] {
			fmt.Fprintf(&b, "  %s: %s\n", cat, s)
		}
	}
	e := r.Engine
	fmt.Fprintf(&b, "engine: %d runs, %d compiles, %d runtimes created; log lines: %d warn, %d error\n",
		e.Runs, e.Compiles, e.RuntimesCreated, r.Logs["warn"], r.Logs["error"])

	m := r.Memory
	b.WriteString("\nmemory (live heap after a forced GC):\n")
	tw = tabwriter.NewWriter(&b, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "\tgoroutines\theap\t")
	for _, row := range []struct {
		name string
		s    Snapshot
	}{{"cold", m.Cold}, {"baseline", m.Baseline}, {"after run", m.AfterRun}, {"after close", m.AfterClose}} {
		fmt.Fprintf(tw, "  %s\t%d\t%s\t\n", row.name, row.s.Goroutines, mib(row.s.HeapLive))
	}
	_ = tw.Flush()
	fmt.Fprintf(&b, "back to baseline: goroutines %s (exactly), heap %s (within %s)\n", yes(m.GoroutinesBack), yes(m.HeapBack), mib(uint64(m.HeapTolerance)))
	if m.Dump != "" {
		b.WriteString("\ngoroutines after close:\n" + m.Dump)
	}
	if r.OK() {
		b.WriteString("\nresult: PASS\n")
	} else {
		b.WriteString("\nresult: FAIL: " + strings.Join(r.Fail, "; ") + "\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func yes(ok bool) string {
	if ok {
		return "yes"
	}
	return "NO"
}

// ends formats counts by class, most frequent first.
func ends(m map[string]uint64) string {
	keys := slices.Collect(maps.Keys(m))
	slices.SortFunc(keys, func(a, b string) int {
		if m[a] != m[b] {
			if m[a] > m[b] {
				return -1
			}
			return 1
		}
		return strings.Compare(a, b)
	})
	var parts []string
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%s %d", k, m[k]))
	}
	return strings.Join(parts, ", ")
}
