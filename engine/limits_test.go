package engine_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/hookengine/hookengine/engine"
	"github.com/hookengine/hookengine/enginetest"
	"github.com/hookengine/hookengine/sandbox"
	"github.com/hookengine/hookengine/triggers"
)

// slack is how late a run may end after its limit on an idle machine.
// Bounds checked on a loaded or race-instrumented machine use
// slack*raceScale: a late end there still means a limit enforced, while a
// limit not enforced runs on to a much later one.
const slack = 100 * time.Millisecond

func TestLimitsEndRuns(t *testing.T) {
	const (
		cpu  = 150 * time.Millisecond
		wall = 300 * time.Millisecond
	)
	tests := []struct {
		script string
		limits engine.Limits
		err    error
		code   string
		// within bounds the run: the CPU time it is charged for the CPU
		// limit (wall time stretches when the machine is loaded), the wall
		// time otherwise.
		within time.Duration
	}{
		{"limits/infinite-loop.js", engine.Limits{CPUTime: cpu}, engine.ErrCPUTimeExceeded, "cpu_time_exceeded", cpu + slack*raceScale},
		{"limits/promise-loop.js", engine.Limits{CPUTime: cpu}, engine.ErrCPUTimeExceeded, "cpu_time_exceeded", cpu + slack*raceScale},
		{"limits/timer-loop.js", engine.Limits{CPUTime: cpu}, engine.ErrCPUTimeExceeded, "cpu_time_exceeded", cpu + slack*raceScale},
		{"limits/interval-forever.js", engine.Limits{WallTime: wall}, engine.ErrWallTimeExceeded, "wall_time_exceeded", wall + slack*raceScale},
		{"limits/infinite-loop.js", engine.Limits{WallTime: wall, CPUTime: time.Minute}, engine.ErrWallTimeExceeded, "wall_time_exceeded", wall + slack*raceScale},
		{"limits/no-callback.js", engine.Limits{}, engine.ErrNoCallback, "no_callback", slack * raceScale},
		{"limits/recursion.js", engine.Limits{}, engine.ErrStackDepthExceeded, "stack_depth_exceeded", slack * raceScale},
	}
	e := enginetest.New(t)
	in := input(t, triggers.PreUserRegistration)
	for _, tt := range tests {
		t.Run(tt.script+"/"+tt.code, func(t *testing.T) {
			start := time.Now()
			res, err := e.Run(context.Background(), engine.Hook{Trigger: triggers.PreUserRegistration, Script: script(t, tt.script), Limits: tt.limits}, in)
			took := time.Since(start)
			if !errors.Is(err, tt.err) {
				t.Fatalf("err = %v, want %v", err, tt.err)
			}
			var re *engine.RunError
			if !errors.As(err, &re) || re.ExecutionID != res.ExecutionID {
				t.Errorf("err is not a *RunError for this run: %#v", err)
			}
			if tt.err == engine.ErrCPUTimeExceeded {
				if res.CPUTime < cpu || res.CPUTime > tt.within {
					t.Errorf("charged %v of CPU, want between %v and %v", res.CPUTime, cpu, tt.within)
				}
			} else if took > tt.within {
				t.Errorf("run took %v, want at most %v", took, tt.within)
			}
			if d := data(t, res.Envelope.Data); res.Envelope.Succeeded() || d["code"] != tt.code {
				t.Errorf("envelope = %s %s, want code %s", res.Envelope.Status, res.Envelope.Data, tt.code)
			}
			// The engine goes on serving other hooks normally.
			ok, err := e.Run(context.Background(), engine.Hook{Trigger: triggers.PreUserRegistration, Script: script(t, "pre-user-registration/metadata.js")}, in)
			if err != nil || !ok.Envelope.Succeeded() {
				t.Errorf("next run: %v %s", err, ok.Envelope.Data)
			}
		})
	}
}

func TestLimitErrorsCarryTheLimit(t *testing.T) {
	res, err := enginetest.Run(t, triggers.PreUserRegistration, script(t, "limits/infinite-loop.js"), input(t, triggers.PreUserRegistration),
		engine.WithLimits(engine.Limits{CPUTime: 20 * time.Millisecond}))
	var le *sandbox.LimitError
	if !errors.As(err, &le) || le.Limit != "20ms" {
		t.Fatalf("err = %v, want a *sandbox.LimitError for 20ms", err)
	}
	if d := data(t, res.Envelope.Data); d["limit"] != "20ms" || d["message"] != "Script exceeded its CPU time limit" {
		t.Errorf("envelope data = %v", d)
	}
	if res.CPUTime < 20*time.Millisecond {
		t.Errorf("CPUTime = %v, want at least the limit", res.CPUTime)
	}
}

func TestWallTimeMessageIsAuth0s(t *testing.T) {
	clk := enginetest.NewClock(time.Unix(1_700_000_000, 0))
	e := enginetest.New(t, engine.WithClock(clk))
	done := make(chan struct{})
	var (
		res *engine.Result
		err error
	)
	go func() {
		defer close(done)
		res, err = e.Run(context.Background(), engine.Hook{Trigger: triggers.PreUserRegistration, Script: script(t, "limits/sleep.js"),
			Limits: engine.Limits{WallTime: 2 * time.Second}}, input(t, triggers.PreUserRegistration))
	}()
	clk.BlockUntil(2) // the wall-time limit, and the wait for the script's 3 s timer
	clk.Advance(2 * time.Second)
	<-done
	if !errors.Is(err, engine.ErrWallTimeExceeded) {
		t.Fatalf("err = %v", err)
	}
	if d := data(t, res.Envelope.Data); d["message"] != "Request to Webtask exceeded allowed execution time" || d["limit"] != "2s" {
		t.Errorf("envelope data = %v", d)
	}
}

// A hook waiting on a timer longer than its CPU budget is not charged for
// the wait; a hook spinning is stopped by the same budget.
func TestCPUTimeCountsOnlyRunningScript(t *testing.T) {
	lim := engine.Limits{CPUTime: 60 * time.Millisecond, WallTime: 5 * time.Second}
	waiting := `module.exports = (u, c, cb) => setTimeout(() => cb(null, {slept: true}), 250);`
	res, err := enginetest.Run(t, triggers.PreUserRegistration, waiting, input(t, triggers.PreUserRegistration), engine.WithLimits(lim))
	if err != nil || !jsonEqual(t, res.Envelope.Data, `{"slept":true}`) {
		t.Fatalf("sleeping hook stopped: %v %s", err, res.Envelope.Data)
	}
	if res.Duration < 250*time.Millisecond || res.CPUTime > 30*time.Millisecond {
		t.Errorf("duration %v, CPU %v: want ≥250ms of waiting charged as little CPU", res.Duration, res.CPUTime)
	}
	start := time.Now()
	_, err = enginetest.Run(t, triggers.PreUserRegistration, script(t, "limits/busy.js"), input(t, triggers.PreUserRegistration), engine.WithLimits(lim))
	if !errors.Is(err, engine.ErrCPUTimeExceeded) {
		t.Fatalf("busy hook: err = %v, want ErrCPUTimeExceeded", err)
	}
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("busy hook took %v", took)
	}
}

func TestVirtualTimeSleepPastCPUBudget(t *testing.T) {
	clk := enginetest.NewClock(time.Unix(1_700_000_000, 0))
	e := enginetest.New(t, engine.WithClock(clk), engine.WithLimits(engine.Limits{CPUTime: 10 * time.Millisecond}))
	done := make(chan struct{})
	var (
		res *engine.Result
		err error
	)
	go func() {
		defer close(done)
		res, err = e.Run(context.Background(), engine.Hook{Trigger: triggers.PreUserRegistration, Script: script(t, "limits/sleep.js")},
			input(t, triggers.PreUserRegistration))
	}()
	clk.BlockUntil(2)
	clk.Advance(3 * time.Second)
	<-done
	if err != nil || !jsonEqual(t, res.Envelope.Data, `{"user":{"app_metadata":{"slept":true}}}`) {
		t.Fatalf("err = %v, data %s", err, res.Envelope.Data)
	}
}

func TestCancelStopsScript(t *testing.T) {
	e := enginetest.New(t)
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(30*time.Millisecond, cancel)
	start := time.Now()
	res, err := e.Run(ctx, engine.Hook{Trigger: triggers.PreUserRegistration, Script: script(t, "limits/infinite-loop.js")}, input(t, triggers.PreUserRegistration))
	if took := time.Since(start); took > 30*time.Millisecond+slack {
		t.Errorf("cancel took effect after %v", took)
	}
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if d := data(t, res.Envelope.Data); d["code"] != "cancelled" {
		t.Errorf("envelope = %v", d)
	}
	ctx, cancel = context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	_, err = e.Run(ctx, engine.Hook{Trigger: triggers.PreUserRegistration, Script: script(t, "limits/interval-forever.js")}, input(t, triggers.PreUserRegistration))
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("waiting hook: err = %v, want context.DeadlineExceeded", err)
	}
}

func TestPerHookLimitsOverrideEngine(t *testing.T) {
	e := enginetest.New(t, engine.WithLimits(engine.Limits{CPUTime: 5 * time.Second}))
	start := time.Now()
	res, err := e.Run(context.Background(), engine.Hook{Trigger: triggers.PreUserRegistration, Script: script(t, "limits/infinite-loop.js"),
		Limits: engine.Limits{CPUTime: 30 * time.Millisecond}}, input(t, triggers.PreUserRegistration))
	if !errors.Is(err, engine.ErrCPUTimeExceeded) || res.CPUTime > 30*time.Millisecond+slack || time.Since(start) > time.Second {
		t.Errorf("err = %v after %v (CPU %v), want the hook's 30ms CPU limit", err, time.Since(start), res.CPUTime)
	}
	_, err = e.Run(context.Background(), engine.Hook{Trigger: triggers.PreUserRegistration, Script: script(t, "limits/recursion.js"),
		Limits: engine.Limits{StackDepth: 50}}, input(t, triggers.PreUserRegistration))
	var le *sandbox.LimitError
	if !errors.As(err, &le) || le.Limit != "50 calls" {
		t.Errorf("err = %v, want the hook's stack limit of 50", err)
	}
}

func TestCompileErrors(t *testing.T) {
	tests := []struct {
		desc, script string
		msg          string
		line, column int
	}{
		{"fixture", script(t, "errors/compile-error.js"), "Unexpected token )", 4, 27},
		{"first line", "module.exports = function (user, context, cb) { cb(null, ; }", "Unexpected token ;", 1, 58},
		{"redeclared class", script(t, "errors/redeclared-class.js"), "Identifier 'PreUserRegistrationError' has already been declared", 2, 7},
		{"unterminated", "module.exports = function () {", "Unexpected end of input", 1, 31},
		{"unterminated on a later line", "module.exports = function () {\n  if (x) {\n", "Unexpected end of input", 3, 1},
	}
	e := enginetest.New(t)
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			h := engine.Hook{Trigger: triggers.PreUserRegistration, Script: tt.script}
			res, err := e.Run(context.Background(), h, input(t, triggers.PreUserRegistration))
			var ce *engine.CompileError
			if !errors.As(err, &ce) || !errors.Is(err, engine.ErrCompile) {
				t.Fatalf("err = %v, want a *CompileError", err)
			}
			if ce.Message != tt.msg || ce.Line != tt.line || ce.Column != tt.column {
				t.Errorf("compile error = %q at %d:%d, want %q at %d:%d", ce.Message, ce.Line, ce.Column, tt.msg, tt.line, tt.column)
			}
			d := data(t, res.Envelope.Data)
			if d["message"] != "Unable to compile the extensibility code as javascript" || d["error_description"] != ce.Error() {
				t.Errorf("envelope data = %v", d)
			}
			if o := res.Outcome().(*triggers.PreUserRegistrationOutcome); !o.Denied() {
				t.Error("a hook that does not compile must deny the signup")
			}
			if err := e.Compile(h); !errors.As(err, &ce) {
				t.Errorf("Compile = %v, want the same *CompileError", err)
			}
		})
	}
	if err := e.Compile(engine.Hook{Trigger: triggers.PreUserRegistration, Script: script(t, "pre-user-registration/metadata.js")}); err != nil {
		t.Errorf("Compile of a valid script: %v", err)
	}
	if err := e.Compile(engine.Hook{Trigger: "password-exchange", Script: ran}); !errors.Is(err, engine.ErrUnknownTrigger) {
		t.Errorf("Compile with an unknown trigger: %v", err)
	}
}

func TestNoHookFunction(t *testing.T) {
	res, err := enginetest.Run(t, triggers.PreUserRegistration, script(t, "errors/no-function.js"), input(t, triggers.PreUserRegistration))
	if !errors.Is(err, engine.ErrNoHookFunction) {
		t.Fatalf("err = %v", err)
	}
	if d := data(t, res.Envelope.Data); d["code"] != "no_hook_function" || d["name"] != "TypeError" {
		t.Errorf("envelope = %v", d)
	}
}

// Limits gives the engine's limits with the defaults filled in.
func TestEngineLimits(t *testing.T) {
	tests := []struct {
		opts []engine.Option
		want engine.Limits
	}{
		{nil, engine.Limits{WallTime: engine.DefaultWallTime, CPUTime: engine.DefaultCPUTime, StackDepth: engine.DefaultStackDepth, Memory: engine.DefaultMemory}},
		{[]engine.Option{engine.WithLimits(engine.Limits{CPUTime: 5 * time.Millisecond, Memory: 1 << 20})},
			engine.Limits{WallTime: engine.DefaultWallTime, CPUTime: 5 * time.Millisecond, StackDepth: engine.DefaultStackDepth, Memory: 1 << 20}},
	}
	for _, tt := range tests {
		if got := enginetest.New(t, tt.opts...).Limits(); got != tt.want {
			t.Errorf("Limits() = %+v, want %+v", got, tt.want)
		}
	}
}
