package hookbench

import (
	"encoding/json"
	"math"
	"slices"
	"time"

	"golang.org/x/perf/benchmath"
)

// Report is what a benchmark measured. Times are in nanoseconds, memory in
// bytes. It is a plain value: safe for concurrent reads.
type Report struct {
	// Started is when the measurement began.
	Started time.Time `json:"started"`
	// Machine is where it ran.
	Machine Machine `json:"machine"`
	// Isolation is where hooks ran: in-process or process.
	Isolation string `json:"isolation"`
	// Concurrency is how many runs of a case were in flight at once.
	Concurrency int `json:"concurrency"`
	// CPULimitNs and WallLimitNs are the runs' limits.
	CPULimitNs  float64 `json:"cpu_limit_ns"`
	WallLimitNs float64 `json:"wall_limit_ns"`
	// Warmup is how many runs of each case were not counted.
	Warmup int `json:"warmup"`
	// Cases are the cases, in the order given; the first is the baseline.
	Cases []*CaseReport `json:"cases"`
	// Comparisons compare each other case with the first.
	Comparisons []Comparison `json:"comparisons,omitempty"`
}

// Machine describes where a benchmark ran.
type Machine struct {
	CPU        string `json:"cpu"`
	NumCPU     int    `json:"num_cpu"`
	GOMAXPROCS int    `json:"gomaxprocs"`
	GOOS       string `json:"goos"`
	GOARCH     string `json:"goarch"`
	Go         string `json:"go"`
}

// CaseReport is what one case measured.
type CaseReport struct {
	Name    string `json:"name"`
	Trigger string `json:"trigger"`
	// Runs is how many warm runs were measured.
	Runs int `json:"runs"`
	// Wall is the wall time of each warm run, as its caller saw it.
	Wall Dist `json:"wall"`
	// CPU is the CPU time each warm run was charged.
	CPU Dist `json:"cpu"`
	// CPUShare is the mean CPU time of a run as a share of the CPU limit;
	// CPUShareP99 the 99th percentile's.
	CPUShare    float64 `json:"cpu_share_of_limit"`
	CPUShareP99 float64 `json:"cpu_share_of_limit_p99"`
	// AllocsPerRun and BytesPerRun are the heap allocations of the process
	// per warm run, every goroutine included (with process isolation, the
	// caller's side only).
	AllocsPerRun float64 `json:"allocs_per_run"`
	BytesPerRun  float64 `json:"bytes_per_run"`
	// RetainedBytes is the memory a warm hook keeps between runs (its
	// program and an idle runtime); null when not measured (process
	// isolation, or skipped).
	RetainedBytes *float64 `json:"retained_bytes"`
	// Cold is the first run of the hook on a new engine: compile, new
	// runtime, run.
	Cold ColdReport `json:"cold"`
	// Throughput is warm runs per second at the report's concurrency.
	Throughput float64 `json:"throughput_per_s"`
	// Outcomes counts warm runs by how they ended (see Classify).
	Outcomes map[string]int `json:"outcomes"`
	// Errors gives, for each way warm or cold runs failed, the first
	// error message (or the message the hook called back with), the
	// hook's secret values redacted.
	Errors map[string]string `json:"errors,omitempty"`
	// Outliers are the warm runs far from the others (Tukey's fences);
	// they are counted in every figure above.
	Outliers Outliers `json:"outliers"`
	// Fetch is what the hook's fetch requests cost.
	Fetch FetchReport `json:"fetch"`
	// Samples are the rounds the warm runs were measured in.
	Samples []Sample `json:"samples"`
	// Histogram counts warm runs' wall times in equal-width bins.
	Histogram Histogram `json:"histogram"`

	wall, cpu []float64 // sorted
}

// Dist summarises a distribution of durations, in nanoseconds.
type Dist struct {
	N      int     `json:"n"`
	Mean   float64 `json:"mean_ns"`
	Stddev float64 `json:"stddev_ns"`
	Min    float64 `json:"min_ns"`
	Median float64 `json:"median_ns"`
	P90    float64 `json:"p90_ns"`
	P99    float64 `json:"p99_ns"`
	Max    float64 `json:"max_ns"`
}

// ColdReport describes the cold runs of a case.
type ColdReport struct {
	// RunsNs are the wall times of the cold runs, in the order they ran.
	RunsNs   []float64      `json:"runs_ns"`
	Wall     Dist           `json:"wall"`
	CPU      Dist           `json:"cpu"`
	Outcomes map[string]int `json:"outcomes"`
}

// Outliers counts warm runs outside Tukey's fences: below Q1 − 1.5·IQR or
// above Q3 + 1.5·IQR (severe: above Q3 + 3·IQR).
type Outliers struct {
	Low        int     `json:"low"`
	High       int     `json:"high"`
	SevereHigh int     `json:"severe_high"`
	HighFence  float64 `json:"high_fence_ns"`
}

// FetchReport describes the fetch requests of the warm runs.
type FetchReport struct {
	// RequestsPerRun counts requests sent per run, retries included.
	RequestsPerRun float64 `json:"requests_per_run"`
	// ThrottleWaitPerRun is the time per run requests waited for their
	// origin's rate limit (or a 429's retry time) before being sent.
	ThrottleWaitPerRun float64 `json:"throttle_wait_per_run_ns"`
	// AnswerWaitPerRun is the time per run requests waited for their
	// answer (a stub's delay; with the network, not measured: 0).
	AnswerWaitPerRun float64 `json:"answer_wait_per_run_ns"`
	// ScriptWallPerRun is the mean wall time less both waits: the run's
	// own time. Meaningful at concurrency 1.
	ScriptWallPerRun float64 `json:"script_wall_per_run_ns"`
	// Unstubbed counts requests no stub matched (they failed).
	Unstubbed int64 `json:"unstubbed"`
}

// Sample is one round of warm runs: one line of the gobench format.
type Sample struct {
	Runs    int           `json:"runs"`
	Elapsed time.Duration `json:"elapsed_ns"`
	WallNs  float64       `json:"wall_ns_per_run"`
	CPUNs   float64       `json:"cpu_ns_per_run"`
	Allocs  float64       `json:"allocs_per_run"`
	Bytes   float64       `json:"bytes_per_run"`
}

// Histogram counts values in Counts equal-width bins from Min to Max.
type Histogram struct {
	Min    float64 `json:"min_ns"`
	Max    float64 `json:"max_ns"`
	Counts []int   `json:"counts"`
}

// Comparison compares a case with the baseline on one metric, the way
// benchstat does: the centres are medians, the test Mann-Whitney U
// (benchmath.AssumeNothing), over the warm runs.
type Comparison struct {
	Baseline string `json:"baseline"`
	Case     string `json:"case"`
	// Metric is "wall" or "cpu".
	Metric string `json:"metric"`
	// Old and New are the medians, in nanoseconds.
	Old float64 `json:"old_ns"`
	New float64 `json:"new_ns"`
	// Ratio is New / Old.
	Ratio float64 `json:"ratio"`
	// P is the p-value that both come from one distribution; Significant
	// says it is below Alpha.
	P           float64 `json:"p"`
	Alpha       float64 `json:"alpha"`
	Significant bool    `json:"significant"`
	// Delta is benchstat's: "+12.34%", or "~" when not significant.
	Delta    string   `json:"delta"`
	N1       int      `json:"n1"`
	N2       int      `json:"n2"`
	Warnings []string `json:"warnings,omitempty"`
}

// histogramBins is how many bins a case's histogram has.
const histogramBins = 20

func newReport(cfg *Config, benches []*bench, start time.Time) *Report {
	rep := &Report{
		Started:     start.UTC(),
		Machine:     machine(),
		Isolation:   cfg.Isolation,
		Concurrency: cfg.Concurrency,
		CPULimitNs:  float64(cfg.Limits.CPUTime),
		WallLimitNs: float64(cfg.Limits.WallTime),
		Warmup:      cfg.Warmup,
	}
	for _, b := range benches {
		cr := &CaseReport{
			Name:     b.c.Name,
			Trigger:  string(b.c.Hook.Trigger),
			Runs:     len(b.wall),
			Outcomes: b.outcomes,
			Errors:   b.errors,
			Samples:  b.samples,
			wall:     sorted(b.wall),
			cpu:      sorted(b.cpu),
		}
		if cr.Samples == nil {
			cr.Samples = []Sample{}
		}
		cr.Wall, cr.CPU = newDist(cr.wall), newDist(cr.cpu)
		cr.CPUShare = cr.CPU.Mean / rep.CPULimitNs
		cr.CPUShareP99 = cr.CPU.P99 / rep.CPULimitNs
		var allocs, bytes float64
		for _, s := range b.samples {
			allocs += s.Allocs * float64(s.Runs)
			bytes += s.Bytes * float64(s.Runs)
		}
		if cr.Runs > 0 {
			allocs /= float64(cr.Runs)
			bytes /= float64(cr.Runs)
		}
		cr.AllocsPerRun, cr.BytesPerRun = allocs, bytes
		cr.RetainedBytes = b.retained
		var cw, cc []float64
		cr.Cold.Outcomes = map[string]int{}
		for _, r := range b.cold {
			cw = append(cw, float64(r.wall))
			cc = append(cc, float64(r.cpu))
			cr.Cold.Outcomes[r.class]++
			if _, seen := b.errors[r.class]; r.msg != "" && !seen {
				b.errors[r.class] = r.msg
			}
		}
		cr.Cold.RunsNs = cw
		if cr.Cold.RunsNs == nil {
			cr.Cold.RunsNs = []float64{}
		}
		cr.Cold.Wall, cr.Cold.CPU = newDist(sorted(cw)), newDist(sorted(cc))
		if b.elapsed > 0 {
			cr.Throughput = float64(cr.Runs) / b.elapsed.Seconds()
		}
		cr.Outliers = outliers(cr.wall)
		cr.Histogram = histogram(cr.wall, histogramBins)
		if cr.Runs > 0 {
			n := float64(cr.Runs)
			fs := b.e.FetchStats()
			ss := b.stub.stats()
			cr.Fetch = FetchReport{
				RequestsPerRun:     float64(fs.Requests-b.fetchBefore.Requests) / n,
				ThrottleWaitPerRun: float64(fs.WaitTime-b.fetchBefore.WaitTime) / n,
				AnswerWaitPerRun:   float64(ss.answerWait-b.stubBefore.answerWait) / n,
				Unstubbed:          ss.unstubbed - b.stubBefore.unstubbed,
			}
			cr.Fetch.ScriptWallPerRun = max(0, cr.Wall.Mean-cr.Fetch.ThrottleWaitPerRun-cr.Fetch.AnswerWaitPerRun)
		}
		rep.Cases = append(rep.Cases, cr)
	}
	if len(rep.Cases) > 1 {
		base := rep.Cases[0]
		for _, cr := range rep.Cases[1:] {
			rep.Comparisons = append(rep.Comparisons,
				compare(base.Name, cr.Name, "wall", base.wall, cr.wall),
				compare(base.Name, cr.Name, "cpu", base.cpu, cr.cpu))
		}
	}
	return rep
}

func sorted(v []float64) []float64 {
	v = slices.Clone(v)
	slices.Sort(v)
	return v
}

// newDist summarises the sorted values v.
func newDist(v []float64) Dist {
	d := Dist{N: len(v)}
	if len(v) == 0 {
		return d
	}
	var sum float64
	for _, x := range v {
		sum += x
	}
	d.Mean = sum / float64(len(v))
	if len(v) > 1 {
		var ss float64
		for _, x := range v {
			ss += (x - d.Mean) * (x - d.Mean)
		}
		d.Stddev = math.Sqrt(ss / float64(len(v)-1))
	}
	d.Min, d.Max = v[0], v[len(v)-1]
	d.Median = quantile(v, 0.5)
	d.P90 = quantile(v, 0.9)
	d.P99 = quantile(v, 0.99)
	return d
}

// quantile is the q-quantile of the sorted values v, interpolated between
// the closest ranks.
func quantile(v []float64, q float64) float64 {
	if len(v) == 0 {
		return 0
	}
	pos := q * float64(len(v)-1)
	i := int(pos)
	if i+1 >= len(v) {
		return v[len(v)-1]
	}
	return v[i] + (pos-float64(i))*(v[i+1]-v[i])
}

// outliers counts the sorted values v outside Tukey's fences.
func outliers(v []float64) Outliers {
	if len(v) < 4 {
		return Outliers{}
	}
	q1, q3 := quantile(v, 0.25), quantile(v, 0.75)
	iqr := q3 - q1
	o := Outliers{HighFence: q3 + 1.5*iqr}
	for _, x := range v {
		switch {
		case x < q1-1.5*iqr:
			o.Low++
		case x > q3+3*iqr:
			o.SevereHigh++
			o.High++
		case x > o.HighFence:
			o.High++
		}
	}
	return o
}

// histogram counts the sorted values v in n equal-width bins.
func histogram(v []float64, n int) Histogram {
	h := Histogram{Counts: make([]int, n)}
	if len(v) == 0 {
		return h
	}
	h.Min, h.Max = v[0], v[len(v)-1]
	width := (h.Max - h.Min) / float64(n)
	for _, x := range v {
		i := n - 1
		if width > 0 {
			i = min(int((x-h.Min)/width), n-1)
		}
		h.Counts[i]++
	}
	return h
}

// compare compares the sorted values of two cases with benchmath.
func compare(baseName, name, metric string, old, new []float64) Comparison {
	c := Comparison{Baseline: baseName, Case: name, Metric: metric, N1: len(old), N2: len(new)}
	if len(old) == 0 || len(new) == 0 {
		c.Delta = "?"
		c.P = 1
		return c
	}
	th := benchmath.DefaultThresholds
	s1, s2 := benchmath.NewSample(old, &th), benchmath.NewSample(new, &th)
	a := benchmath.AssumeNothing
	c.Old = a.Summary(s1, 0.95).Center
	c.New = a.Summary(s2, 0.95).Center
	if c.Old > 0 {
		c.Ratio = c.New / c.Old
	}
	cmp := a.Compare(s1, s2)
	c.P, c.Alpha = min(cmp.P, 1), cmp.Alpha // the U test may give 1 plus a rounding error
	c.Significant = cmp.P < cmp.Alpha
	c.Delta = cmp.FormatDelta(c.Old, c.New)
	for _, w := range append(append(s1.Warnings, s2.Warnings...), cmp.Warnings...) {
		c.Warnings = append(c.Warnings, w.Error())
	}
	return c
}

// jsonValid reports whether b is one JSON value.
func jsonValid(b []byte) bool { return json.Valid(b) }

// Summarize summarises durations in nanoseconds, in any order: what a
// report gives for each case's wall and CPU times.
func Summarize(ns []float64) Dist { return newDist(sorted(ns)) }

// NewHistogram counts durations in nanoseconds, in any order, in bins
// equal-width bins from the least to the greatest.
func NewHistogram(ns []float64, bins int) Histogram {
	return histogram(sorted(ns), max(bins, 1))
}
