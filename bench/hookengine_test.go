package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

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
// cold scenario only, since warm runs never take a spare. Its cold runs
// come coldGap apart, as first runs do after a deploy, so that the
// background goroutine has rebuilt the spare a run took (see coldGap).
var hookengineSparesContender = contender{
	name:     "hookengine-spares",
	supports: func(_ *workload, m mode) bool { return m == cold },
	open: func(tb testing.TB, w *workload, m mode) runner {
		r := newHookengine(tb, w, m, hookengineLimits, engine.WithSpareRuntimes(2))
		r.gap = coldGap
		return r
	},
}

// hookengineWorkerSparesContender is hookengine-spares through the worker
// tier: each worker process keeps two spare runtimes.
var hookengineWorkerSparesContender = contender{
	name:     "hookengine-worker-spares",
	supports: func(_ *workload, m mode) bool { return m == cold },
	open: func(tb testing.TB, w *workload, m mode) runner {
		r := newHookengine(tb, w, m, hookengineLimits, engine.WithSpareRuntimes(2),
			engine.WithProcessIsolation(engine.ProcessIsolation{}))
		r.gap = coldGap
		return r
	},
}

// coldGap is the pause between two cold runs of the contenders with spare
// runtimes: time for the spare a run took to be rebuilt, about 50 µs of
// one core, as between first runs that do not all arrive at once. Their
// time per call is then the latency of a first run with a spare ready;
// their CPU per call still counts the spare's rebuilding (in process mode:
// a worker process's CPU is not counted). See benchPaced.
const coldGap = 2 * time.Millisecond

type hookengineRunner struct {
	e     *engine.Engine
	hook  engine.Hook
	input json.RawMessage
	cold  bool
	seq   atomic.Int64
	// gap, when set, is the pause between two timed calls (see coldGap).
	gap time.Duration
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

func (r *hookengineRunner) pause() time.Duration { return r.gap }
