package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/hookengine/hookengine/engine"
	"github.com/hookengine/hookengine/triggers"
)

// hookengineLimits arms every limit the engine has, at the defaults.
var hookengineLimits = engine.Limits{
	WallTime:   engine.DefaultWallTime,
	CPUTime:    engine.DefaultCPUTime,
	StackDepth: engine.DefaultStackDepth,
}

// hookengineContender runs hooks through the public API, as an embedder
// does: engine.New once, then e.Run per call with the request body as JSON.
var hookengineContender = contender{
	name:     "hookengine",
	supports: func(*workload, mode) bool { return true },
	open: func(tb testing.TB, w *workload, m mode) runner {
		return newHookengine(tb, w, m, hookengineLimits)
	},
}

// hookengineWorkerContender is hookengine with every run in a worker
// process (engine.WithProcessIsolation): the same API, plus a frame to the
// worker and one back per run. The test binary is its own worker (see
// TestMain).
var hookengineWorkerContender = contender{
	name:     "hookengine-worker",
	supports: func(*workload, mode) bool { return true },
	open: func(tb testing.TB, w *workload, m mode) runner {
		return newHookengine(tb, w, m, hookengineLimits, engine.WithProcessIsolation(engine.ProcessIsolation{}))
	},
}

// hookengineSparesContender is hookengine with two runtimes set up in
// advance (engine.WithSpareRuntimes), for first runs of new scripts: the
// cold scenario only, since warm runs never take a spare. The background
// goroutine rebuilds the spare a run took while the next run goes on (a
// runtime takes about a quarter of a cold run to build), so its time per
// call is that of a first run with a spare ready, and its CPU per call
// counts the rebuilding.
var hookengineSparesContender = contender{
	name:     "hookengine-spares",
	supports: func(_ *workload, m mode) bool { return m == cold },
	open: func(tb testing.TB, w *workload, m mode) runner {
		return newHookengine(tb, w, m, hookengineLimits, engine.WithSpareRuntimes(2))
	},
}

// hookengineWorkerSparesContender is hookengine-spares through the worker
// tier: each worker process keeps two spare runtimes.
var hookengineWorkerSparesContender = contender{
	name:     "hookengine-worker-spares",
	supports: func(_ *workload, m mode) bool { return m == cold },
	open: func(tb testing.TB, w *workload, m mode) runner {
		return newHookengine(tb, w, m, hookengineLimits, engine.WithSpareRuntimes(2),
			engine.WithProcessIsolation(engine.ProcessIsolation{}))
	},
}

type hookengineRunner struct {
	e     *engine.Engine
	hook  engine.Hook
	input json.RawMessage
	cold  bool
	seq   atomic.Int64
}

func newHookengine(tb testing.TB, w *workload, m mode, lim engine.Limits, opts ...engine.Option) *hookengineRunner {
	tb.Helper()
	e, err := engine.New(append([]engine.Option{engine.WithLimits(lim)}, opts...)...)
	if err != nil {
		tb.Fatal(err)
	}
	return &hookengineRunner{
		e: e,
		hook: engine.Hook{
			ID:      "bench-" + w.Name,
			Name:    w.Name,
			Trigger: w.Trigger,
			Script:  w.script,
			Secrets: w.secrets,
		},
		input: json.RawMessage(w.input),
		cold:  m == cold,
	}
}

func (r *hookengineRunner) caller(testing.TB) func() (string, error) {
	ctx := context.Background()
	return func() (string, error) {
		h := r.hook
		if r.cold {
			h.Script = coldScript(h.Script, &r.seq)
		}
		res, err := r.e.Run(ctx, h, r.input)
		if err != nil {
			return "", err
		}
		if res.Envelope.Status != triggers.StatusSuccess {
			return "", fmt.Errorf("hookengine: %s", res.Envelope.Data)
		}
		return string(res.Envelope.Data), nil
	}
}

func (r *hookengineRunner) close() { _ = r.e.Close() }
