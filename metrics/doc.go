// Package metrics exposes an engine's work as Prometheus metrics
// (prometheus/client_golang): a Collector an embedder registers, which
// hooks serve serves at /metrics on its metrics listener.
//
// Wire it to an engine in three steps: the Collector observes runs
// (engine.WithObserver) and fetch requests (fetch.Options.Observer) from
// the engine's creation, then reads the engine's caches at each scrape:
//
//	c := metrics.NewCollector()
//	fo := engine.FetchOptions{}
//	fo.Observer = c.ObserveFetch
//	e, err := engine.New(engine.WithObserver(c), engine.WithFetch(fo))
//	c.SetEngine(e)
//	prometheus.MustRegister(c)
//
// # Metrics
//
// Runs: hookengine_runs_total{trigger, hook, outcome} (outcome as in
// engine.RunInfo), hookengine_run_duration_seconds{trigger} and
// hookengine_run_cpu_seconds{trigger} (histograms),
// hookengine_limit_hits_total{limit} (wall_time, cpu_time, stack_depth,
// memory), hookengine_runs_by_runtime_total{runtime} (warm, cold, worker).
//
// Caches and runtimes, read at each scrape: hookengine_cached_programs,
// hookengine_idle_runtimes, hookengine_spare_runtimes, hookengine_stuck_runtimes,
// hookengine_abandoned_runs_total, hookengine_compiles_total,
// hookengine_runtimes_created_total, hookengine_evicted_runtimes_total; with
// process isolation, hookengine_workers and hookengine_workers_killed_total.
//
// Fetch, by origin ("scheme://host[:port]", never a path or a query):
// hookengine_fetch_requests_total{origin, code} (code "0" for a request
// that failed), hookengine_fetch_queue_seconds{origin} (time waiting for
// the throttle, histogram), hookengine_fetch_retries_total{origin},
// hookengine_fetch_429_total{origin} and hookengine_fetch_refused_total{origin}
// (requests given up with a rate-limit error).
//
// Labels are bounded by what the embedder controls: hooks (by name),
// triggers and the origins the hooks call.
package metrics
