package mgmtapi

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"go.uber.org/zap"

	"github.com/hookengine/hookengine/internal/hookbench"
)

// Bounds of the benchmark endpoint.
const (
	// DefaultBenchRuns is how many warm runs a benchmark makes when the
	// request does not say.
	DefaultBenchRuns = 100
	// MaxBenchRuns bounds the runs of one benchmark.
	MaxBenchRuns = 1000
	// BenchBudget bounds the time of one benchmark: runs stop once it has
	// passed, and the answer says so.
	BenchBudget = 10 * time.Second
	// benchBins is how many bins the histogram has.
	benchBins = 20
)

// messageBenchBusy answers a benchmark asked for while another runs.
const messageBenchBusy = "A benchmark is already running on this server; try again when it ends."

// BenchResult is the answer of POST /hookengine/v1/hooks/{id}/bench: the
// distribution of the warm runs of a hook, to set beside its limits. Times
// are in nanoseconds.
type BenchResult struct {
	// HookID is the hook measured.
	HookID string `json:"hook_id"`
	// Requested is how many runs were asked for; Runs how many ran (fewer
	// when the benchmark stopped at BenchBudget).
	Requested    int  `json:"requested"`
	Runs         int  `json:"runs"`
	StoppedEarly bool `json:"stopped_early,omitempty"`
	// Wall and CPU are the runs' duration and CPU time: count, mean,
	// standard deviation, min, median (p50), p90, p99, max.
	Wall hookbench.Dist `json:"wall"`
	CPU  hookbench.Dist `json:"cpu"`
	// Histogram counts the runs' durations in equal-width bins.
	Histogram hookbench.Histogram `json:"histogram"`
	// Outcomes counts runs by how they ended: success, callback_error,
	// thrown, or the code of the engine's error (cpu_time_exceeded...).
	Outcomes map[string]int `json:"outcomes"`
	// WallLimitNs and CPULimitNs are the hook's limits.
	WallLimitNs float64 `json:"wall_limit_ns"`
	CPULimitNs  float64 `json:"cpu_limit_ns"`
}

var benchRoute = &route{pattern: RunPrefix + "/hooks/{id}/bench", ops: map[string]operation{
	http.MethodPost: {scopes: []string{ScopeRun}, body: true, serve: (*Handler).benchHook},
}}

// benchHook runs a stored hook ?runs=N times (default DefaultBenchRuns) on
// the request body, one run after the other after one warm-up run, and
// answers a BenchResult. One benchmark runs at a time per handler.
func (h *Handler) benchHook(w http.ResponseWriter, req *request) {
	runs := DefaultBenchRuns
	if q := req.r.URL.Query().Get("runs"); q != "" {
		n, err := strconv.Atoi(q)
		if err != nil || n < 1 || n > MaxBenchRuns {
			writeError(w, newError(http.StatusBadRequest, CodeInvalidQuery,
				fmt.Sprintf("Query validation error: 'runs' must be an integer from 1 to %d.", MaxBenchRuns)))
			return
		}
		runs = n
	}
	if len(bytes.TrimSpace(req.body)) == 0 || !json.Valid(req.body) {
		writeError(w, newError(http.StatusBadRequest, CodeInvalidBody, messageInvalidJSON))
		return
	}
	hk, err := h.store.GetHook(req.r.Context(), req.param)
	if err != nil {
		h.storeError(w, req.r, err, "")
		return
	}
	if !h.benching.CompareAndSwap(false, true) {
		writeError(w, newError(http.StatusServiceUnavailable, CodeUnavailable, messageBenchBusy))
		return
	}
	defer h.benching.Store(false)

	input := json.RawMessage(req.body)
	limits := h.runner.Limits()
	out := BenchResult{HookID: hk.ID, Requested: runs, Outcomes: map[string]int{},
		WallLimitNs: float64(limits.WallTime), CPULimitNs: float64(limits.CPUTime)}
	var wall, cpu []float64
	start := time.Now()
	for i := -1; i < runs; i++ { // run -1 compiles and warms a runtime
		if i >= 0 && time.Since(start) > BenchBudget {
			out.StoppedEarly = true
			break
		}
		res, ok, runErr := h.runBounded(req.r.Context(), hk, input)
		if !ok {
			writeError(w, newError(http.StatusGatewayTimeout, CodeRunTimeout, messageRunTimeout))
			return
		}
		if res == nil {
			h.log.Warn("hook could not run", zap.String("hook_id", hk.ID), zap.Error(runErr))
			writeError(w, newError(http.StatusServiceUnavailable, CodeEngineUnavailable, messageEngineNotRunning))
			return
		}
		if i < 0 {
			continue
		}
		wall = append(wall, float64(res.Duration))
		cpu = append(cpu, float64(res.CPUTime))
		out.Outcomes[hookbench.Classify(res, runErr)]++
	}
	out.Runs = len(wall)
	out.Wall, out.CPU = hookbench.Summarize(wall), hookbench.Summarize(cpu)
	out.Histogram = hookbench.NewHistogram(wall, benchBins)
	h.log.Info("hook benchmark", zap.String("hook_id", hk.ID), zap.Int("runs", out.Runs),
		zap.Duration("p50", time.Duration(out.Wall.Median)), zap.Duration("p99", time.Duration(out.Wall.P99)),
		zap.String("subject", req.principal.Subject))
	writeJSON(w, http.StatusOK, out)
}
