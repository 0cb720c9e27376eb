package hookbench

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"math"
	"slices"
	"strings"
	"text/tabwriter"
	"unicode"

	"golang.org/x/perf/benchfmt"
)

// WriteJSON writes the report as one indented JSON object.
func (r *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(r)
}

// WriteTable writes the report as a readable table: a column per case,
// side by side, then the comparisons with the first case and the warnings
// (outliers, failed runs).
func (r *Report) WriteTable(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "machine: %s, %d CPUs (GOMAXPROCS %d), %s/%s, %s\n", r.Machine.CPU, r.Machine.NumCPU,
		r.Machine.GOMAXPROCS, r.Machine.GOOS, r.Machine.GOARCH, r.Machine.Go)
	fmt.Fprintf(&b, "runs: %s, concurrency %d, warm-up runs not counted: %d; limits CPU %s, wall %s\n\n",
		r.Isolation, r.Concurrency, r.Warmup, FormatNs(r.CPULimitNs), FormatNs(r.WallLimitNs))

	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	row := func(label string, cell func(c *CaseReport) string) {
		fmt.Fprint(tw, label)
		for _, c := range r.Cases {
			fmt.Fprint(tw, "\t"+cell(c))
		}
		fmt.Fprintln(tw, "\t")
	}
	ratio := func(c *CaseReport, metric string) string {
		for _, cmp := range r.Comparisons {
			if cmp.Case == c.Name && cmp.Metric == metric {
				return fmt.Sprintf(" (%.2f×, %s)", cmp.Ratio, cmp.Delta)
			}
		}
		return ""
	}
	row("", func(c *CaseReport) string { return c.Name })
	row("trigger", func(c *CaseReport) string { return c.Trigger })
	row("warm runs", func(c *CaseReport) string { return fmt.Sprint(c.Runs) })
	row("wall mean ± stddev", func(c *CaseReport) string {
		return FormatNs(c.Wall.Mean) + " ± " + FormatNs(c.Wall.Stddev)
	})
	row("wall median", func(c *CaseReport) string { return FormatNs(c.Wall.Median) + ratio(c, "wall") })
	row("wall p90 / p99", func(c *CaseReport) string { return FormatNs(c.Wall.P90) + " / " + FormatNs(c.Wall.P99) })
	row("wall min / max", func(c *CaseReport) string { return FormatNs(c.Wall.Min) + " / " + FormatNs(c.Wall.Max) })
	row("CPU median", func(c *CaseReport) string { return FormatNs(c.CPU.Median) + ratio(c, "cpu") })
	row("CPU mean (of limit)", func(c *CaseReport) string {
		return FormatNs(c.CPU.Mean) + " (" + formatShare(c.CPUShare) + ")"
	})
	row("CPU p99 (of limit)", func(c *CaseReport) string {
		return FormatNs(c.CPU.P99) + " (" + formatShare(c.CPUShareP99) + ")"
	})
	row("allocs / bytes per run", func(c *CaseReport) string {
		return fmt.Sprintf("%.0f / %s", c.AllocsPerRun, FormatBytes(c.BytesPerRun))
	})
	row("retained by warm hook", func(c *CaseReport) string {
		if c.RetainedBytes == nil {
			return "not measured"
		}
		return FormatBytes(*c.RetainedBytes)
	})
	row("cold runs", func(c *CaseReport) string { return fmt.Sprint(c.Cold.Wall.N) })
	row("cold median (min–max)", func(c *CaseReport) string {
		if c.Cold.Wall.N == 0 {
			return "-"
		}
		return FormatNs(c.Cold.Wall.Median) + " (" + FormatNs(c.Cold.Wall.Min) + "–" + FormatNs(c.Cold.Wall.Max) + ")"
	})
	row("cold CPU median", func(c *CaseReport) string { return FormatNs(c.Cold.CPU.Median) })
	row("throughput", func(c *CaseReport) string { return fmt.Sprintf("%.0f runs/s", c.Throughput) })
	row("outcomes", func(c *CaseReport) string { return formatOutcomes(c.Outcomes) })
	row("outliers", func(c *CaseReport) string {
		if c.Runs == 0 {
			return "-"
		}
		return fmt.Sprintf("%d (%.1f%%)", c.Outliers.Low+c.Outliers.High,
			100*float64(c.Outliers.Low+c.Outliers.High)/float64(c.Runs))
	})
	if slices.ContainsFunc(r.Cases, func(c *CaseReport) bool { return c.Fetch.RequestsPerRun > 0 || c.Fetch.Unstubbed > 0 }) {
		row("fetch requests per run", func(c *CaseReport) string { return fmt.Sprintf("%.2f", c.Fetch.RequestsPerRun) })
		row("fetch waits per run", func(c *CaseReport) string {
			return FormatNs(c.Fetch.ThrottleWaitPerRun) + " throttle + " + FormatNs(c.Fetch.AnswerWaitPerRun) + " answer"
		})
		row("script wall per run", func(c *CaseReport) string { return FormatNs(c.Fetch.ScriptWallPerRun) })
	}
	if err := tw.Flush(); err != nil {
		return err
	}

	if len(r.Comparisons) > 0 {
		fmt.Fprintf(&b, "\ncompared with %s (medians; Mann-Whitney U test, α = %.2f):\n", r.Cases[0].Name, r.Comparisons[0].Alpha)
		tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "case\tmetric\told\tnew\tratio\tdelta\tp\tverdict\t")
		for _, c := range r.Comparisons {
			verdict := "no significant difference"
			if c.Significant {
				verdict = "faster"
				if c.New > c.Old {
					verdict = "slower"
				}
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%.2f×\t%s\tp=%.3f n=%d+%d\t%s\t\n", c.Case, c.Metric,
				FormatNs(c.Old), FormatNs(c.New), c.Ratio, c.Delta, c.P, c.N1, c.N2, verdict)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}

	var warnings []string
	for _, c := range r.Cases {
		if o := c.Outliers; o.Low+o.High > 0 {
			warnings = append(warnings, fmt.Sprintf("%s: %d of %d warm runs are outliers (%d above %s, %d of them severe, %d low); they are counted in every figure",
				c.Name, o.Low+o.High, c.Runs, o.High, FormatNs(o.HighFence), o.SevereHigh, o.Low))
		}
		if c.Runs > 0 && c.Outcomes["success"] < c.Runs {
			warnings = append(warnings, fmt.Sprintf("%s: %d of %d warm runs did not succeed: %s", c.Name,
				c.Runs-c.Outcomes["success"], c.Runs, formatOutcomes(c.Outcomes)))
		}
		for _, class := range slices.Sorted(maps.Keys(c.Errors)) {
			warnings = append(warnings, fmt.Sprintf("%s: %s: %s", c.Name, class, c.Errors[class]))
		}
		if c.Fetch.Unstubbed > 0 {
			warnings = append(warnings, fmt.Sprintf("%s: %d fetch requests matched no --stub and failed", c.Name, c.Fetch.Unstubbed))
		}
	}
	for _, c := range r.Comparisons {
		for _, w := range c.Warnings {
			warnings = append(warnings, fmt.Sprintf("%s vs %s (%s): %s", c.Case, c.Baseline, c.Metric, w))
		}
	}
	if len(warnings) > 0 {
		b.WriteString("\n")
		for _, w := range warnings {
			b.WriteString("warning: " + w + "\n")
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// WriteGobench writes the report as Go benchmark lines that benchstat
// reads: a header (goos, goarch, cpu), then for each case one line per
// sample, as go test -count gives them,
//
//	BenchmarkHook/NAME-P  runs  ns/op  cpu-ns/op  B/op  allocs/op
//
// and one line per cold run as BenchmarkHookCold/NAME-P. NAME is the
// case's name; P is GOMAXPROCS, as go test writes it. The same hook file
// benchmarked from two folders gets the same name, so
// "benchstat old.txt new.txt" compares them.
func (r *Report) WriteGobench(w io.Writer) error {
	bw := benchfmt.NewWriter(w)
	cfg := []benchfmt.Config{
		{Key: "goos", Value: []byte(r.Machine.GOOS), File: true},
		{Key: "goarch", Value: []byte(r.Machine.GOARCH), File: true},
		{Key: "pkg", Value: []byte("hooks bench"), File: true},
		{Key: "cpu", Value: []byte(r.Machine.CPU), File: true},
	}
	suffix := ""
	if r.Machine.GOMAXPROCS > 1 {
		suffix = fmt.Sprintf("-%d", r.Machine.GOMAXPROCS)
	}
	for _, c := range r.Cases {
		name := GobenchName(c.Name)
		for _, s := range c.Samples {
			if s.Runs == 0 {
				continue
			}
			res := &benchfmt.Result{
				Config: cfg,
				Name:   benchfmt.Name("Hook/" + name + suffix),
				Iters:  s.Runs,
				Values: []benchfmt.Value{
					{Value: s.WallNs, Unit: "ns/op"},
					{Value: s.CPUNs, Unit: "cpu-ns/op"},
					{Value: math.Round(s.Bytes), Unit: "B/op"},
					{Value: math.Round(s.Allocs), Unit: "allocs/op"},
				},
			}
			if err := bw.Write(res); err != nil {
				return err
			}
		}
	}
	for _, c := range r.Cases {
		name := GobenchName(c.Name)
		for _, v := range c.Cold.RunsNs {
			res := &benchfmt.Result{
				Config: cfg,
				Name:   benchfmt.Name("HookCold/" + name + suffix),
				Iters:  1,
				Values: []benchfmt.Value{{Value: v, Unit: "ns/op"}},
			}
			if err := bw.Write(res); err != nil {
				return err
			}
		}
	}
	return nil
}

// GobenchName makes a case name usable in a benchmark name: no spaces, no
// dashes followed by digits at the end (which benchstat would read as
// GOMAXPROCS).
func GobenchName(name string) string {
	out := strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) || !unicode.IsPrint(r) {
			return '_'
		}
		return r
	}, name)
	if i := strings.LastIndexByte(out, '-'); i >= 0 && i+1 < len(out) && strings.Trim(out[i+1:], "0123456789") == "" {
		out = out[:i] + "_" + out[i+1:]
	}
	return out
}

// FormatNs writes nanoseconds with a unit of three significant digits or so:
// 850 ns, 81.2 µs, 1.29 ms, 2.10 s.
func FormatNs(ns float64) string {
	switch a := math.Abs(ns); {
	case a == 0:
		return "0"
	case a < 1e3:
		return fmt.Sprintf("%.0f ns", ns)
	case a < 1e6:
		return trim3(ns/1e3) + " µs"
	case a < 1e9:
		return trim3(ns/1e6) + " ms"
	default:
		return trim3(ns/1e9) + " s"
	}
}

// FormatBytes writes a byte count in B, KiB or MiB.
func FormatBytes(b float64) string {
	switch a := math.Abs(b); {
	case a < 1<<10:
		return fmt.Sprintf("%.0f B", b)
	case a < 1<<20:
		return trim3(b/(1<<10)) + " KiB"
	default:
		return trim3(b/(1<<20)) + " MiB"
	}
}

// trim3 writes v with three significant digits (at least the integer part).
func trim3(v float64) string {
	switch a := math.Abs(v); {
	case v == math.Trunc(v):
		return fmt.Sprintf("%.0f", v)
	case a >= 100:
		return fmt.Sprintf("%.0f", v)
	case a >= 10:
		return fmt.Sprintf("%.1f", v)
	default:
		return fmt.Sprintf("%.2f", v)
	}
}

func formatShare(s float64) string {
	switch {
	case s == 0:
		return "0%"
	case s < 0.0001:
		return "<0.01%"
	case s < 0.1:
		return fmt.Sprintf("%.2f%%", 100*s)
	default:
		return fmt.Sprintf("%.0f%%", 100*s)
	}
}

func formatOutcomes(m map[string]int) string {
	keys := slices.Collect(maps.Keys(m))
	slices.SortFunc(keys, func(a, b string) int {
		if m[a] != m[b] {
			return m[b] - m[a]
		}
		return strings.Compare(a, b)
	})
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s %d", k, m[k])
	}
	if len(parts) == 0 {
		return "-"
	}
	return strings.Join(parts, ", ")
}
