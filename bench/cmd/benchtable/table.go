package main

import (
	"bufio"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// result is one benchmark: its values by unit (ns/op, B/op, allocs/op and
// any other metric), one per line the benchmark printed (go test -count).
type result struct {
	n       int64
	procs   int
	metrics map[string][]float64
}

// get returns the median of the benchmark's values of unit.
func (r *result) get(unit string) (float64, bool) {
	if r == nil || len(r.metrics[unit]) == 0 {
		return 0, false
	}
	vs := slices.Sorted(slices.Values(r.metrics[unit]))
	if n := len(vs); n%2 == 0 {
		return (vs[n/2-1] + vs[n/2]) / 2, true
	}
	return vs[len(vs)/2], true
}

// runs returns how many lines the benchmark printed.
func (r *result) runs() int {
	return len(r.metrics["ns/op"])
}

// results are benchmark lines by scenario (the top-level name without
// "Benchmark") and contender (the sub-benchmark).
type results map[string]map[string]*result

func (rs results) get(scenario, contender string) *result {
	return rs[scenario][contender]
}

func (rs results) merge(other results) {
	for s, cs := range other {
		if rs[s] == nil {
			rs[s] = map[string]*result{}
		}
		for c, r := range cs {
			rs[s][c] = r
		}
	}
}

var (
	benchLine = regexp.MustCompile(`^Benchmark(\S+)\s+(\d+)\s+(.*)$`)
	procsTail = regexp.MustCompile(`-(\d+)$`)
)

// parse reads benchmark output in Go's format (the Node harness prints the
// same), ignoring every other line.
func parse(r io.Reader) results {
	rs := results{}
	sc := bufio.NewScanner(r)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		m := benchLine.FindStringSubmatch(strings.TrimSpace(sc.Text()))
		if m == nil {
			continue
		}
		name := m[1]
		procs := 0
		if p := procsTail.FindStringSubmatch(name); p != nil {
			procs, _ = strconv.Atoi(p[1])
			name = strings.TrimSuffix(name, p[0])
		}
		scenario, contender, ok := strings.Cut(name, "/")
		if !ok {
			continue
		}
		if rs[scenario] == nil {
			rs[scenario] = map[string]*result{}
		}
		res := rs[scenario][contender]
		if res == nil {
			res = &result{procs: procs, metrics: map[string][]float64{}}
			rs[scenario][contender] = res
		}
		n, _ := strconv.ParseInt(m[2], 10, 64)
		res.n = max(res.n, n)
		fields := strings.Fields(m[3])
		for i := 0; i+1 < len(fields); i += 2 {
			v, err := strconv.ParseFloat(fields[i], 64)
			if err != nil {
				continue
			}
			res.metrics[fields[i+1]] = append(res.metrics[fields[i+1]], v)
		}
	}
	return rs
}

// The tables' order.
var (
	scenarios = []struct{ name, about string }{
		{"WarmPreUserRegistration", "warm run, pre-user-registration (sets user_metadata and app_metadata)"},
		{"WarmCredentialsExchange", "warm run, credentials-exchange (adds claims and a scope)"},
		{"WarmPostUserRegistration", "warm run, post-user-registration (logs the signup)"},
		{"WarmPostChangePassword", "warm run, post-change-password (logs the change)"},
		{"WarmSendPhoneMessage", "warm run, send-phone-message (builds the SMS text)"},
		{"ColdPreUserRegistration", "first run of a never-seen script: compile, set-up, run"},
		{"CPUHeavy", "CPU-heavy hook: JSON.parse of a 6 KB secret, loops, string building, JSON.stringify"},
		{"AsyncTimer", "async hook awaiting a 1 ms timer and a promise chain"},
		{"ParallelPreUserRegistration", "warm pre-user-registration on every core at once (wall time ÷ calls)"},
		{"OneCorePreUserRegistration", "ParallelPreUserRegistration on one core (GOMAXPROCS 1): the base of the speed-up"},
		{"Fetch", "async hook awaiting one fetch to a local HTTP server and its JSON body"},
	}
	contenders = []struct{ name, about string }{
		{"hookengine", "hookengine's public API, every limit armed (wall 20 s, CPU 2 s, stack 4096)"},
		{"goja-compile-per-call", "goja: new runtime and compile on every call, no limits"},
		{"goja-program-cached", "goja: compiled once, new runtime per call, no limits"},
		{"goja-reused-runtime", "goja: one runtime per goroutine reused, no limits"},
		{"otto-reused-runtime", "otto (ES5 only): one runtime per goroutine reused, no limits"},
		{"otto-new-runtime", "otto: new runtime and compile on every call"},
		{"quickjs-reused-vm", "QuickJS (modernc.org/quickjs, no cgo): one VM per goroutine reused, 128 MB memory limit and 2 s eval timeout"},
		{"quickjs-new-vm", "QuickJS: a new VM with those limits and a compile on every call"},
		{"hookengine-spares", "hookengine with two spare runtimes set up in advance (WithSpareRuntimes), cold runs only (the spare a run took is rebuilt while the next run goes on)"},
		{"hookengine-worker", "hookengine with every run in a worker process (WithProcessIsolation)"},
		{"hookengine-worker-spares", "hookengine-worker with two spare runtimes in each worker process, cold runs only"},
		{"hookengine-spare-runtime", "memory only: one spare runtime at rest (set up, no hook loaded)"},
		{"native-go", "the same work as a Go function on maps: the floor"},
		{"node-vm-fresh-context", "Node 20 vm: a new context per call"},
		{"node-vm-reused-timeout", "Node 20 vm: one context, every call run with a timeout"},
		{"node-vm-reused", "Node 20 vm: one context, the hook called directly, no limits"},
		{"ivm-reused-timeout", "isolated-vm 5: one isolate (128 MB limit) and context, every call with a timeout"},
		{"ivm-fresh-context", "isolated-vm 5: a new context of one isolate per call"},
	}
)

func contenderOrder(cs map[string]*result) []string {
	var names []string
	for _, c := range contenders {
		if cs[c.name] != nil {
			names = append(names, c.name)
		}
	}
	var rest []string
	for name := range cs {
		if !slices.Contains(names, name) {
			rest = append(rest, name)
		}
	}
	slices.Sort(rest)
	return append(names, rest...)
}

func render(m machine, rs results) string {
	var b strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }

	p("Measured %s on %s (%d cores), %s", m.date, m.cpu, m.cores, m.goVersion)
	if m.nodeVersion != "" {
		p(", Node %s", m.nodeVersion)
	}
	if m.commit != "" {
		p(", hookengine %s", m.commit)
	}
	runs := "once"
	if m.count > 1 {
		runs = fmt.Sprintf("%d times (the tables show the median)", m.count)
	}
	p(". Timed benchmarks ran for %s each (the Node ones about as long), %s; the whole run took %s", m.benchtime, runs, m.duration)
	if m.loadStart != "" && m.loadEnd != "" {
		p(" (one-minute load average %s before, %s after)", m.loadStart, m.loadEnd)
	}
	p(". Ratios are from this one run on a shared, noisy machine.\n\n")
	if len(m.nodeFailures) > 0 {
		p("The Node harness failed %d time(s) during this run (%s); the benchmarks it had not finished were run again in a new process.\n\n",
			len(m.nodeFailures), strings.Join(m.nodeFailures, "; "))
	}

	p("### Time per call\n\n")
	p("`× hookengine` is the contender's time per call divided by hookengine's in the same scenario: above 1, hookengine is faster. `CPU/call` is the Go process's CPU time (all threads: the collector, spare runtimes built in the background) per call; for `hookengine-worker` it leaves out the worker processes' CPU.\n\n")
	p("| scenario | contender | time/call | CPU/call | allocs/op | B/op | × hookengine |\n")
	p("|---|---|---:|---:|---:|---:|---:|\n")
	for _, s := range scenarios {
		cs := rs[s.name]
		if len(cs) == 0 {
			continue
		}
		base, haveBase := cs["hookengine"].get("ns/op")
		for _, c := range contenderOrder(cs) {
			r := cs[c]
			ns, _ := r.get("ns/op")
			ratio := "—"
			if haveBase && base > 0 {
				ratio = fmt.Sprintf("%.2f×", ns/base)
			}
			cpu := "—"
			if v, ok := r.get("cpu-ns/op"); ok && v > 0 {
				cpu = duration(v)
			}
			p("| %s | %s | %s | %s | %s | %s | %s |\n", s.name, c, duration(ns), cpu, count(r, "allocs/op"), count(r, "B/op"), ratio)
		}
	}
	p("\nScenarios:\n\n")
	for _, s := range scenarios {
		if len(rs[s.name]) > 0 {
			p("- `%s`: %s.\n", s.name, s.about)
		}
	}
	p("\nContenders:\n\n")
	for _, c := range contenders {
		p("- `%s`: %s.\n", c.name, c.about)
	}

	if par := rs["ParallelPreUserRegistration"]; len(par) > 0 {
		one := rs["OneCorePreUserRegistration"]
		p("\n### Parallel throughput (pre-user-registration)\n\n")
		p("`one core` is GOMAXPROCS 1 and one goroutine (the collector shares the core; worker processes get GOMAXPROCS 1 too), `all cores` one goroutine per core; times are wall time ÷ calls, `CPU/call` the process's CPU time per call. The speed-up is `one core` ÷ `all cores`; `one goroutine` is the warm scenario's time, where the collector and the scheduler already use the second core.\n\n")
		p("| contender | one goroutine | one core | all cores | speed-up | CPU/call, one core → all cores |\n|---|---:|---:|---:|---:|---:|\n")
		for _, c := range contenderOrder(par) {
			all, ok := par[c].get("ns/op")
			if !ok || all == 0 {
				continue
			}
			serial, speedup, cpu := "—", "—", "—"
			if v, ok := rs.get("WarmPreUserRegistration", c).get("ns/op"); ok {
				serial = duration(v)
			}
			oneTime := "—"
			if v, ok := one[c].get("ns/op"); ok {
				oneTime = duration(v)
				speedup = fmt.Sprintf("%.2f×", v/all)
				c1, ok1 := one[c].get("cpu-ns/op")
				c2, ok2 := par[c].get("cpu-ns/op")
				if ok1 && ok2 {
					cpu = duration(c1) + " → " + duration(c2)
				}
			}
			p("| %s | %s | %s | %s (%d goroutines) | %s | %s |\n", c, serial, oneTime, duration(all), par[c].procs, speedup, cpu)
		}
	}

	modes := [][2]string{{"hookengine", "hookengine-worker"}, {"hookengine-spares", "hookengine-worker-spares"}}
	var modeRows []string
	for _, sc := range scenarios {
		for _, pair := range modes {
			in, ok1 := rs.get(sc.name, pair[0]).get("ns/op")
			wk, ok2 := rs.get(sc.name, pair[1]).get("ns/op")
			if ok1 && ok2 {
				modeRows = append(modeRows, fmt.Sprintf("| %s | %s | %s | %s | %s | %.2f× |\n", sc.name, pair[0], duration(in), duration(wk), signedDuration(wk-in), wk/in))
			}
		}
	}
	if len(modeRows) > 0 {
		p("\n### In process and through the worker tier\n\n")
		p("The same runs in the engine's process and in worker processes (`WithProcessIsolation`): the difference is what the worker tier costs per run (two frames over pipes, the wake-ups on both sides, the run's JSON encoded twice).\n\n")
		p("| scenario | contender | in process | worker processes | worker − in process | ratio |\n|---|---|---:|---:|---:|---:|\n")
		for _, row := range modeRows {
			p("%s", row)
		}
	}

	if lat := rs["CPULimitLatency"]; len(lat) > 0 {
		p("\n### An endless loop under a 100 ms limit: time for the run to return\n\n")
		p("| contender | runs | p50 | p99 | max | mean | CPU time charged, p50 / p99 / max |\n|---|---:|---:|---:|---:|---:|---:|\n")
		for _, c := range contenderOrder(lat) {
			r := lat[c]
			ns, _ := r.get("ns/op")
			cpu := "—"
			if _, ok := r.get("cpu-p50-ms"); ok {
				cpu = ms(r, "cpu-p50-ms") + " / " + ms(r, "cpu-p99-ms") + " / " + ms(r, "cpu-max-ms")
			}
			p("| %s | %d | %s | %s | %s | %s | %s |\n", c, r.n, ms(r, "p50-ms"), ms(r, "p99-ms"), ms(r, "max-ms"), duration(ns), cpu)
		}
		p("\nhookengine's limit is CPU time (the thread's, on Linux), so a run whose thread waits for a core lasts longer than 100 ms in wall time; " +
			"goja, otto, Node vm and isolated-vm only have wall-clock timeouts.\n")
	}

	if mem := rs["RetainedMemory"]; len(mem) > 0 {
		p("\n### Memory a warm hook keeps\n\n")
		p("| contender | retained per hook |\n|---|---:|\n")
		for _, c := range contenderOrder(mem) {
			if v, ok := mem[c].get("retained-B/hook"); ok {
				p("| %s | %s |\n", c, bytesize(v))
			}
		}
	}

	p("\n### Targets\n\n")
	p("| target | measured | verdict |\n|---|---:|---|\n")
	for _, t := range targets {
		v, ok := t.measure(rs)
		if !ok {
			p("| %s | not measured | — |\n", t.text)
			continue
		}
		p("| %s | %s | %s |\n", t.text, t.show(v), t.verdict(v))
	}
	return b.String()
}

// target is one of the targets.
type target struct {
	text    string
	measure func(results) (float64, bool)
	limit   float64
	atMost  bool // the measure must be at most limit (else at least)
	show    func(float64) string
}

func (t target) verdict(v float64) string {
	if t.atMost && v <= t.limit || !t.atMost && v >= t.limit {
		return "met"
	}
	off := v / t.limit
	if !t.atMost {
		off = t.limit / v
	}
	return fmt.Sprintf("**missed**, by %.2f×", off)
}

// ratio is hookengine's ns/op over the contender's in one scenario.
func ratio(scenario, contender string) func(results) (float64, bool) {
	return ratioOf(scenario, "hookengine", contender, "ns/op")
}

// ratioOf is mine's unit over theirs' in one scenario.
func ratioOf(scenario, mine, theirs, unit string) func(results) (float64, bool) {
	return func(rs results) (float64, bool) {
		m, ok1 := rs.get(scenario, mine).get(unit)
		t, ok2 := rs.get(scenario, theirs).get(unit)
		return m / t, ok1 && ok2 && t > 0
	}
}

// worstWarm is the highest of hookengine's ratios to contender over the warm
// scenarios (Warm...) both ran.
func worstWarm(rs results, contender string) (v float64, ok bool) {
	for _, sc := range scenarios {
		if !strings.HasPrefix(sc.name, "Warm") {
			continue
		}
		if r, rok := ratio(sc.name, contender)(rs); rok && r > v {
			v, ok = r, true
		}
	}
	return v, ok
}

// retainedPerHook is what a warm hook of hookengine keeps.
func retainedPerHook(rs results) (float64, bool) {
	return rs.get("RetainedMemory", "hookengine").get("retained-B/hook")
}

func times(v float64) string { return fmt.Sprintf("%.2f×", v) }

var targets = []target{
	{
		text:    "warm pre-user-registration ≤ 0.5× isolated-vm, reused context with timeout",
		measure: ratio("WarmPreUserRegistration", "ivm-reused-timeout"),
		limit:   0.5, atMost: true, show: times,
	},
	{
		text:    "warm pre-user-registration ≤ 1.5× Node vm, reused context without limits",
		measure: ratio("WarmPreUserRegistration", "node-vm-reused"),
		limit:   1.5, atMost: true, show: times,
	},
	{
		text: "warm pre-user-registration ≥ 8× faster than goja new-runtime-per-call",
		measure: func(rs results) (float64, bool) {
			v, ok := ratio("WarmPreUserRegistration", "goja-compile-per-call")(rs)
			return 1 / v, ok && v > 0
		},
		limit: 8, show: func(v float64) string { return fmt.Sprintf("%.2f× faster", v) },
	},
	{
		text:    "warm pre-user-registration ≤ 3× the native Go floor",
		measure: ratio("WarmPreUserRegistration", "native-go"),
		limit:   3, atMost: true, show: times,
	},
	{
		text: "every warm scenario ≤ 2× the native Go floor (the worst one)",
		measure: func(rs results) (float64, bool) {
			return worstWarm(rs, "native-go")
		},
		limit: 2, atMost: true, show: times,
	},
	{
		text:    "a never-seen script's first run ≤ 1× goja compile-per-call, time",
		measure: ratio("ColdPreUserRegistration", "goja-compile-per-call"),
		limit:   1, atMost: true, show: times,
	},
	{
		text:    "a never-seen script's first run ≤ 1× goja compile-per-call, time, with two spare runtimes",
		measure: ratioOf("ColdPreUserRegistration", "hookengine-spares", "goja-compile-per-call", "ns/op"),
		limit:   1, atMost: true, show: times,
	},
	{
		text:    "a never-seen script's first run ≤ 3× goja compile-per-call, CPU",
		measure: ratioOf("ColdPreUserRegistration", "hookengine", "goja-compile-per-call", "cpu-ns/op"),
		limit:   3, atMost: true, show: times,
	},
	{
		text:    "a never-seen script's first run ≤ 3× goja compile-per-call, CPU, with two spare runtimes (their set-up included)",
		measure: ratioOf("ColdPreUserRegistration", "hookengine-spares", "goja-compile-per-call", "cpu-ns/op"),
		limit:   3, atMost: true, show: times,
	},
	{
		text:    "CPU-heavy hook within 10 % of raw goja, reused runtime",
		measure: ratio("CPUHeavy", "goja-reused-runtime"),
		limit:   1.10, atMost: true, show: times,
	},
	{
		text: "parallel throughput on all cores ≥ 1.7× one core",
		measure: func(rs results) (float64, bool) {
			return speedup(rs, "hookengine")
		},
		limit: 1.7, show: times,
	},
	{
		text: "parallel throughput on all cores ≥ 1.7× one core, worker processes",
		measure: func(rs results) (float64, bool) {
			return speedup(rs, "hookengine-worker")
		},
		limit: 1.7, show: times,
	},
	{
		text: "endless loop under a 100 ms limit returns within 110 ms at p99 (100 runs)",
		measure: func(rs results) (float64, bool) {
			return rs.get("CPULimitLatency", "hookengine").get("p99-ms")
		},
		limit: 110, atMost: true, show: func(v float64) string { return fmt.Sprintf("%.1f ms", v) },
	},
	{
		text:    "a warm cached hook with its runtime retains ≤ 256 KiB",
		measure: retainedPerHook,
		limit:   256 << 10, atMost: true, show: bytesize,
	},
	{
		text:    "a warm cached hook with its runtime retains ≤ 128 KiB",
		measure: retainedPerHook,
		limit:   128 << 10, atMost: true, show: bytesize,
	},
}

// signedDuration is duration with a sign: "+1.2 µs", "−3.0 µs".
func signedDuration(ns float64) string {
	if ns < 0 {
		return "−" + duration(-ns)
	}
	return "+" + duration(ns)
}

func duration(ns float64) string {
	switch {
	case ns <= 0:
		return "—"
	case ns < 1e3:
		return fmt.Sprintf("%.0f ns", ns)
	case ns < 1e6:
		return fmt.Sprintf("%.1f µs", ns/1e3)
	case ns < 1e9:
		return fmt.Sprintf("%.2f ms", ns/1e6)
	}
	return fmt.Sprintf("%.2f s", ns/1e9)
}

func count(r *result, unit string) string {
	v, ok := r.get(unit)
	if !ok {
		return "—"
	}
	return strconv.FormatFloat(v, 'f', 0, 64)
}

func ms(r *result, unit string) string {
	v, ok := r.get(unit)
	if !ok {
		return "—"
	}
	return fmt.Sprintf("%.1f ms", v)
}

func bytesize(v float64) string {
	switch {
	case v >= 1<<20:
		return fmt.Sprintf("%.2f MiB", v/(1<<20))
	case v >= 1<<10:
		return fmt.Sprintf("%.1f KiB", v/(1<<10))
	}
	return fmt.Sprintf("%.0f B", v)
}

// speedup is contender c's time per call on one core over its time per
// call on all cores, for the warm pre-user-registration hook.
func speedup(rs results, c string) (float64, bool) {
	one, ok1 := rs.get("OneCorePreUserRegistration", c).get("ns/op")
	all, ok2 := rs.get("ParallelPreUserRegistration", c).get("ns/op")
	return one / all, ok1 && ok2 && all > 0
}
