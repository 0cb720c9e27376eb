package metrics

import (
	"strconv"
	"sync/atomic"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/hookengine/hookengine/engine"
	"github.com/hookengine/hookengine/sandbox/fetch"
)

// Collector collects an engine's metrics (see the package documentation).
// It is an engine.Observer and a prometheus.Collector. A Collector is safe
// for concurrent use.
type Collector struct {
	engine atomic.Pointer[engine.Engine]

	runs        *prometheus.CounterVec
	duration    *prometheus.HistogramVec
	cpu         *prometheus.HistogramVec
	limits      *prometheus.CounterVec
	byRuntime   *prometheus.CounterVec
	fetches     *prometheus.CounterVec
	queue       *prometheus.HistogramVec
	retries     *prometheus.CounterVec
	tooMany     *prometheus.CounterVec
	refused     *prometheus.CounterVec
	cached      *prometheus.Desc
	idle        *prometheus.Desc
	spares      *prometheus.Desc
	stuck       *prometheus.Desc
	abandoned   *prometheus.Desc
	compiles    *prometheus.Desc
	created     *prometheus.Desc
	evicted     *prometheus.Desc
	workers     *prometheus.Desc
	killed      *prometheus.Desc
	observables []prometheus.Collector
}

var (
	_ engine.Observer      = (*Collector)(nil)
	_ prometheus.Collector = (*Collector)(nil)
)

// NewCollector returns a Collector with no engine yet: pass it to
// engine.WithObserver and fetch.Options.Observer (ObserveFetch), then give
// it the engine with SetEngine.
func NewCollector() *Collector {
	c := &Collector{
		runs: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "hookengine_runs_total",
			Help: "Hook runs finished, by trigger, hook name and outcome."}, []string{"trigger", "hook", "outcome"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "hookengine_run_duration_seconds",
			Help: "Time from the start of a run to its result.", Buckets: prometheus.ExponentialBuckets(0.001, 4, 9)}, []string{"trigger"}),
		cpu: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "hookengine_run_cpu_seconds",
			Help: "CPU time charged to a run's budget.", Buckets: prometheus.ExponentialBuckets(0.0005, 4, 9)}, []string{"trigger"}),
		limits: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "hookengine_limit_hits_total",
			Help: "Runs ended by a limit, by limit."}, []string{"limit"}),
		byRuntime: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "hookengine_runs_by_runtime_total",
			Help: "Runs finished, by runtime: warm (reused), cold (set up for the run) or worker (a worker process)."}, []string{"runtime"}),
		fetches: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "hookengine_fetch_requests_total",
			Help: "Requests of the hooks' fetch, by origin and final status (0: failed)."}, []string{"origin", "code"}),
		queue: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "hookengine_fetch_queue_seconds",
			Help: "Time fetch requests waited for the origin's rate limit.", Buckets: prometheus.ExponentialBuckets(0.001, 4, 9)}, []string{"origin"}),
		retries: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "hookengine_fetch_retries_total",
			Help: "Fetch requests sent again after a 429, by origin."}, []string{"origin"}),
		tooMany: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "hookengine_fetch_429_total",
			Help: "429 Too Many Requests responses fetch received, by origin (retried or not)."}, []string{"origin"}),
		refused: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "hookengine_fetch_refused_total",
			Help: "Fetch requests given up with a rate-limit error, by origin."}, []string{"origin"}),
		cached:    prometheus.NewDesc("hookengine_cached_programs", "Compiled scripts in the engine's cache.", nil, nil),
		idle:      prometheus.NewDesc("hookengine_idle_runtimes", "Warm runtimes waiting for their hook.", nil, nil),
		spares:    prometheus.NewDesc("hookengine_spare_runtimes", "Runtimes set up in advance with no hook loaded, in this process (not in worker processes).", nil, nil),
		stuck:     prometheus.NewDesc("hookengine_stuck_runtimes", "Abandoned runtimes still stuck in a native operation.", nil, nil),
		abandoned: prometheus.NewDesc("hookengine_abandoned_runs_total", "Runs answered without their runtime, which did not stop at its limit.", nil, nil),
		compiles:  prometheus.NewDesc("hookengine_compiles_total", "Scripts compiled (program cache misses).", nil, nil),
		created:   prometheus.NewDesc("hookengine_runtimes_created_total", "Runtimes built (runtime pool misses).", nil, nil),
		evicted:   prometheus.NewDesc("hookengine_evicted_runtimes_total", "Warm runtimes dropped to keep within the idle runtime budget.", nil, nil),
		workers:   prometheus.NewDesc("hookengine_workers", "Worker processes running (process isolation).", nil, nil),
		killed:    prometheus.NewDesc("hookengine_workers_killed_total", "Worker processes killed at a limit, by limit.", []string{"limit"}, nil),
	}
	c.observables = []prometheus.Collector{c.runs, c.duration, c.cpu, c.limits, c.byRuntime, c.fetches, c.queue, c.retries, c.tooMany, c.refused}
	return c
}

// SetEngine makes the Collector read e's caches and runtimes at each
// scrape.
func (c *Collector) SetEngine(e *engine.Engine) { c.engine.Store(e) }

// RunFinished implements engine.Observer.
func (c *Collector) RunFinished(r engine.RunInfo) {
	c.runs.WithLabelValues(string(r.Trigger), r.HookName, r.Outcome).Inc()
	c.duration.WithLabelValues(string(r.Trigger)).Observe(r.Duration.Seconds())
	c.cpu.WithLabelValues(string(r.Trigger)).Observe(r.CPUTime.Seconds())
	c.byRuntime.WithLabelValues(r.Runtime).Inc()
	if r.Limit != "" {
		c.limits.WithLabelValues(r.Limit).Inc()
	}
}

// ObserveFetch records a finished fetch request; it is a
// fetch.Options.Observer.
func (c *Collector) ObserveFetch(f fetch.FetchInfo) {
	c.fetches.WithLabelValues(f.Origin, strconv.Itoa(f.Status)).Inc()
	c.queue.WithLabelValues(f.Origin).Observe(f.Queued.Seconds())
	if f.Retries > 0 {
		c.retries.WithLabelValues(f.Origin).Add(float64(f.Retries))
	}
	if f.TooManyRequests > 0 {
		c.tooMany.WithLabelValues(f.Origin).Add(float64(f.TooManyRequests))
	}
	if f.Refused {
		c.refused.WithLabelValues(f.Origin).Inc()
	}
}

// Describe implements prometheus.Collector.
func (c *Collector) Describe(ch chan<- *prometheus.Desc) {
	for _, o := range c.observables {
		o.Describe(ch)
	}
	for _, d := range []*prometheus.Desc{c.cached, c.idle, c.spares, c.stuck, c.abandoned, c.compiles, c.created, c.evicted, c.workers, c.killed} {
		ch <- d
	}
}

// Collect implements prometheus.Collector.
func (c *Collector) Collect(ch chan<- prometheus.Metric) {
	for _, o := range c.observables {
		o.Collect(ch)
	}
	e := c.engine.Load()
	if e == nil {
		return
	}
	st := e.Stats()
	ch <- prometheus.MustNewConstMetric(c.cached, prometheus.GaugeValue, float64(st.CachedPrograms))
	ch <- prometheus.MustNewConstMetric(c.idle, prometheus.GaugeValue, float64(st.IdleRuntimes))
	ch <- prometheus.MustNewConstMetric(c.spares, prometheus.GaugeValue, float64(st.SpareRuntimes))
	ch <- prometheus.MustNewConstMetric(c.stuck, prometheus.GaugeValue, float64(st.StuckRuntimes))
	ch <- prometheus.MustNewConstMetric(c.abandoned, prometheus.CounterValue, float64(st.AbandonedRuns))
	ch <- prometheus.MustNewConstMetric(c.compiles, prometheus.CounterValue, float64(st.Compiles))
	ch <- prometheus.MustNewConstMetric(c.created, prometheus.CounterValue, float64(st.RuntimesCreated))
	ch <- prometheus.MustNewConstMetric(c.evicted, prometheus.CounterValue, float64(st.EvictedRuntimes))
	ws := e.WorkerStats()
	ch <- prometheus.MustNewConstMetric(c.workers, prometheus.GaugeValue, float64(ws.Live))
	for limit, n := range map[string]int64{"wall_time": ws.KilledWallTime, "cpu_time": ws.KilledCPUTime, "memory": ws.KilledMemory} {
		ch <- prometheus.MustNewConstMetric(c.killed, prometheus.CounterValue, float64(n), limit)
	}
}
