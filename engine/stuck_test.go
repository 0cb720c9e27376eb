package engine_test

import (
	"context"
	"errors"
	"runtime/debug"
	"sync"
	"testing"
	"time"

	"github.com/dop251/goja"

	"github.com/hookengine/hookengine/engine"
	"github.com/hookengine/hookengine/enginetest"
	"github.com/hookengine/hookengine/triggers"
)

// stall is a module whose natives ignore interruption, as a long math/big
// or allocation inside a goja built-in does: block waits and spin burns CPU
// until the test releases them (or 20 s pass, so a broken test ends).
type stall struct {
	once, in sync.Once
	release  chan struct{}
	entered  chan struct{} // closed when a script first calls a native
}

func newStall(t *testing.T) *stall {
	s := &stall{release: make(chan struct{}), entered: make(chan struct{})}
	t.Cleanup(s.free)
	return s
}

func (s *stall) free() { s.once.Do(func() { close(s.release) }) }

func (s *stall) module(vm *goja.Runtime, module *goja.Object) {
	exports := module.Get("exports").(*goja.Object)
	_ = exports.Set("block", func() {
		s.in.Do(func() { close(s.entered) })
		select {
		case <-s.release:
		case <-time.After(20 * time.Second):
		}
	})
	_ = exports.Set("spin", func() {
		s.in.Do(func() { close(s.entered) })
		deadline := time.Now().Add(20 * time.Second)
		for time.Now().Before(deadline) {
			select {
			case <-s.release:
				return
			default:
			}
		}
	})
}

// waitUnstuck waits until e holds no stuck runtime.
func waitUnstuck(t *testing.T, e *engine.Engine) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for e.Stats().StuckRuntimes > 0 {
		if time.Now().After(deadline) {
			t.Fatalf("%d runtimes still stuck", e.Stats().StuckRuntimes)
		}
		time.Sleep(time.Millisecond)
	}
}

func TestRunReturnsAtItsLimitWhenANativeIgnoresIt(t *testing.T) {
	const (
		limit = 100 * time.Millisecond
		grace = 30 * time.Millisecond
	)
	tests := []struct {
		name    string
		script  string
		limits  engine.Limits
		timeout time.Duration // of Run's context; 0 for none
		err     error
		code    string
	}{
		{"wall time", "stuck/native-block.js", engine.Limits{WallTime: limit}, 0, engine.ErrWallTimeExceeded, "wall_time_exceeded"},
		{"CPU time", "stuck/native-spin.js", engine.Limits{CPUTime: limit}, 0, engine.ErrCPUTimeExceeded, "cpu_time_exceeded"},
		{"context deadline", "stuck/native-block.js", engine.Limits{}, limit, context.DeadlineExceeded, "cancelled"},
	}
	in := input(t, triggers.PreUserRegistration)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newStall(t)
			e := enginetest.New(t, engine.WithModule("stall", s.module), engine.WithStuckRuntimes(0, grace))
			ctx := context.Background()
			if tt.timeout > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, tt.timeout)
				defer cancel()
			}
			h := engine.Hook{ID: "stuck", Trigger: triggers.PreUserRegistration, Script: script(t, tt.script), Limits: tt.limits}
			start := time.Now()
			res, err := e.Run(ctx, h, in)
			took := time.Since(start)
			if !errors.Is(err, tt.err) {
				t.Fatalf("err = %v, want %v", err, tt.err)
			}
			// The CPU limit is charged CPU time, which a loaded machine
			// stretches in wall time; the others are real time.
			if tt.err != engine.ErrCPUTimeExceeded && took > limit+grace+slack*raceScale {
				t.Errorf("Run returned after %v, limit %v + grace %v", took, limit, grace)
			}
			if d := data(t, res.Envelope.Data); d["code"] != tt.code {
				t.Errorf("envelope = %s, want code %s", res.Envelope.Data, tt.code)
			}
			if st := e.Stats(); st.StuckRuntimes != 1 || st.AbandonedRuns != 1 {
				t.Errorf("stats = %+v, want one stuck runtime and one abandoned run", st)
			}
			// The engine goes on serving, and closes without waiting for
			// the stuck runtime.
			ok, err := e.Run(context.Background(), engine.Hook{Trigger: triggers.PreUserRegistration, Script: script(t, "pre-user-registration/metadata.js")}, in)
			if err != nil || !ok.Envelope.Succeeded() {
				t.Errorf("next run: %v", err)
			}
			s.free()
			waitUnstuck(t, e)
		})
	}
}

func TestAbandonedRunKeepsItsOutput(t *testing.T) {
	s := newStall(t)
	e := enginetest.New(t, engine.WithModule("stall", s.module), engine.WithStuckRuntimes(0, 20*time.Millisecond))
	h := engine.Hook{ID: "stuck", Trigger: triggers.PreUserRegistration, Script: script(t, "stuck/native-block.js"),
		Limits: engine.Limits{WallTime: 50 * time.Millisecond}}
	res, err := e.Run(context.Background(), h, input(t, triggers.PreUserRegistration))
	if !errors.Is(err, engine.ErrWallTimeExceeded) {
		t.Fatalf("err = %v", err)
	}
	if len(res.Logs) != 1 || res.Logs[0].Message != "before the native call" {
		t.Errorf("logs = %+v", res.Logs)
	}
	var re *engine.RunError
	if !errors.As(err, &re) || re.HookID != "stuck" || re.ExecutionID != res.ExecutionID {
		t.Errorf("err = %#v", err)
	}
	s.free()
	waitUnstuck(t, e)
}

func TestStuckHooksAreQuarantined(t *testing.T) {
	s := newStall(t)
	e, logs := enginetest.NewObserved(t, engine.WithModule("stall", s.module), engine.WithStuckRuntimes(1, 20*time.Millisecond))
	in := input(t, triggers.PreUserRegistration)
	stuck := engine.Hook{ID: "tenant-a", Trigger: triggers.PreUserRegistration, Script: script(t, "stuck/native-block.js"),
		Limits: engine.Limits{WallTime: 50 * time.Millisecond}}
	other := engine.Hook{ID: "tenant-b", Trigger: triggers.PreUserRegistration, Script: script(t, "pre-user-registration/metadata.js")}

	if _, err := e.Run(context.Background(), stuck, in); !errors.Is(err, engine.ErrWallTimeExceeded) {
		t.Fatalf("first run: %v", err)
	}
	if logs.FilterMessageSnippet("it is abandoned and quarantined").FilterField(zapString("hook_id", "tenant-a")).Len() != 1 {
		t.Errorf("the abandoned runtime was not logged with the hook's id: %v", logs.All())
	}
	// The engine holds its one stuck runtime: that hook is refused at once,
	// even with a script that would not get stuck; other hooks run.
	start := time.Now()
	stuck.Script = script(t, "pre-user-registration/metadata.js")
	res, err := e.Run(context.Background(), stuck, in)
	if !errors.Is(err, engine.ErrHookQuarantined) {
		t.Fatalf("err = %v, want ErrHookQuarantined", err)
	}
	if d := data(t, res.Envelope.Data); d["code"] != "hook_quarantined" || time.Since(start) > slack*raceScale {
		t.Errorf("refusal took %v: %s", time.Since(start), res.Envelope.Data)
	}
	if res, err := e.Run(context.Background(), other, in); err != nil || !res.Envelope.Succeeded() {
		t.Errorf("another hook: %v", err)
	}
	// Once the stuck runtime comes back, the hook runs again.
	s.free()
	waitUnstuck(t, e)
	if res, err := e.Run(context.Background(), stuck, in); err != nil || !res.Envelope.Succeeded() {
		t.Errorf("after the stuck runtime ended: %v", err)
	}
	if logs.FilterMessage("an abandoned runtime came back and was dropped").Len() != 1 {
		t.Error("the stuck runtime's return was not logged")
	}
}

func TestCloseDoesNotWaitForStuckRuntimes(t *testing.T) {
	tests := []struct {
		name   string
		script string
	}{
		{"before the callback", "stuck/native-block.js"},
		{"in work left after the callback", "stuck/block-after-callback.js"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newStall(t)
			e, err := engine.New(engine.WithModule("stall", s.module), engine.WithStuckRuntimes(0, 20*time.Millisecond))
			if err != nil {
				t.Fatal(err)
			}
			h := engine.Hook{Trigger: triggers.PreUserRegistration, Script: script(t, tt.script)}
			done := make(chan error, 1)
			go func() {
				_, err := e.Run(context.Background(), h, input(t, triggers.PreUserRegistration))
				done <- err
			}()
			<-s.entered
			start := time.Now()
			if err := e.Close(); err != nil {
				t.Fatal(err)
			}
			if took := time.Since(start); took > 20*time.Millisecond+slack*raceScale {
				t.Errorf("Close took %v with a stuck runtime", took)
			}
			err = <-done
			if tt.script == "stuck/native-block.js" && !errors.Is(err, engine.ErrClosed) {
				t.Errorf("run err = %v, want ErrClosed", err)
			}
			if st := e.Stats(); st.StuckRuntimes != 1 {
				t.Errorf("stats = %+v, want one stuck runtime", st)
			}
			s.free()
			waitUnstuck(t, e)
		})
	}
}

func TestMemoryCeilingSoftensTheCollector(t *testing.T) {
	const ceiling = 3 << 30 // above every other test's, so the highest wins
	enginetest.New(t, engine.WithMemoryCeiling(ceiling))
	if got := debug.SetMemoryLimit(-1); got != ceiling+ceiling/4 {
		t.Errorf("soft memory limit = %d, want %d", got, ceiling+ceiling/4)
	}
	// A lower ceiling leaves the higher limit alone.
	enginetest.New(t, engine.WithMemoryCeiling(ceiling/2))
	if got := debug.SetMemoryLimit(-1); got != ceiling+ceiling/4 {
		t.Errorf("soft memory limit = %d after a lower ceiling", got)
	}
}

// TestAnswerRacingTheGrace: with a grace so short that it ends while the run
// is still answering, every Run returns a whole result, whether the run was
// answered by its runtime or abandoned (the race detector checks the rest).
// No quarantine: on a loaded machine many abandoned runtimes may wait for a
// core at once, and reaching the default bound would end runs with
// ErrHookQuarantined, which is not what this test is about.
func TestAnswerRacingTheGrace(t *testing.T) {
	const runs = 1000
	e := enginetest.New(t, engine.WithStuckRuntimes(runs+1, time.Nanosecond))
	h := engine.Hook{Trigger: triggers.PreUserRegistration, Script: script(t, "limits/infinite-loop.js"),
		Limits: engine.Limits{CPUTime: time.Millisecond}}
	in := input(t, triggers.PreUserRegistration)
	for range runs {
		res, err := e.Run(context.Background(), h, in)
		if res == nil || !errors.Is(err, engine.ErrCPUTimeExceeded) {
			t.Fatalf("Run = %v, %v; want a result and ErrCPUTimeExceeded", res, err)
		}
		if d := data(t, res.Envelope.Data); d["code"] != "cpu_time_exceeded" {
			t.Fatalf("envelope = %s", res.Envelope.Data)
		}
	}
	waitUnstuck(t, e)
}
