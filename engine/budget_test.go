package engine_test

import (
	"context"
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/hookengine/hookengine/engine"
	"github.com/hookengine/hookengine/triggers"
)

// TestWarmRuntimeBudget loads many more hooks than the engine-wide bound on
// warm runtimes and checks that the least recently used hooks lose theirs,
// that the evictions are counted, and that the heap the engine keeps stays
// within what the bound allows rather than growing with the number of hooks.
func TestWarmRuntimeBudget(t *testing.T) {
	// perRuntime is a generous ceiling on what one warm runtime keeps (the
	// bench module's RetainedMemory measures it): unbounded, hooks warm
	// runtimes would keep far more than budget of them can.
	const perRuntime = 512 << 10
	counter := script(t, "isolation/counter.js")
	in := input(t, triggers.PreUserRegistration)
	for _, tc := range []struct {
		desc   string
		budget int
		hooks  int
	}{
		{"a budget of 4 runtimes, 300 hooks", 4, 300},
		{"a budget of 32 runtimes, 300 hooks", 32, 300},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			// No test logger: it would keep every run's log lines in memory.
			e, err := engine.New(engine.WithIdleRuntimes(tc.budget, 1))
			if err != nil {
				t.Fatal(err)
			}
			defer e.Close()
			hook := func(i int) engine.Hook {
				return engine.Hook{ID: "budget-" + strconv.Itoa(i), Name: "counter", Trigger: triggers.PreUserRegistration, Script: counter}
			}
			ctx := context.Background()
			run := func(i int) {
				t.Helper()
				if _, err := e.Run(ctx, hook(i), in); err != nil {
					t.Fatalf("hook %d: %v", i, err)
				}
			}
			run(0) // compiles the script and loads the packages runs use
			before := liveHeap()
			for i := 1; i < tc.hooks; i++ {
				run(i)
			}
			grown := liveHeap() - before
			st := e.Stats()
			if st.IdleRuntimes != tc.budget {
				t.Errorf("%d idle runtimes, want the budget, %d", st.IdleRuntimes, tc.budget)
			}
			if want := int64(tc.hooks - tc.budget); st.EvictedRuntimes != want {
				t.Errorf("%d runtimes evicted, want %d", st.EvictedRuntimes, want)
			}
			if limit := int64(tc.budget+8) * perRuntime; grown > limit {
				t.Errorf("the heap grew by %d KiB over %d hooks, more than %d KiB for a budget of %d runtimes",
					grown>>10, tc.hooks, limit>>10, tc.budget)
			}

			// The most recently used hooks are still warm; the first ones
			// were evicted and build a runtime again.
			created := e.Stats().RuntimesCreated
			for i := tc.hooks - tc.budget; i < tc.hooks; i++ {
				run(i)
			}
			if n := e.Stats().RuntimesCreated - created; n != 0 {
				t.Errorf("running the %d most recent hooks again built %d runtimes, want none", tc.budget, n)
			}
			run(1)
			if n := e.Stats().RuntimesCreated - created; n != 1 {
				t.Errorf("running an evicted hook built %d runtimes, want 1", n)
			}
		})
	}
}

// liveHeap is the live heap after two collections.
func liveHeap() int64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return int64(m.HeapAlloc)
}

// TestSpareRuntimes checks that a new hook's first run takes a runtime set
// up in advance, that the engine builds a replacement, and that Close stops
// the goroutine building them (the package's goleak check).
func TestSpareRuntimes(t *testing.T) {
	e, err := engine.New(engine.WithSpareRuntimes(2))
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	waitSpares := func(n int) {
		t.Helper()
		// Waiting for the background goroutine, not timing it.
		for i := 0; e.Stats().SpareRuntimes < n; i++ {
			if i == 100000 {
				t.Fatalf("%d spare runtimes, want %d", e.Stats().SpareRuntimes, n)
			}
			time.Sleep(100 * time.Microsecond)
		}
	}
	waitSpares(2)
	in := input(t, triggers.PreUserRegistration)
	for i := range 5 {
		h := engine.Hook{ID: "spare-" + strconv.Itoa(i), Name: "counter", Trigger: triggers.PreUserRegistration, Script: script(t, "isolation/counter.js")}
		res, err := e.Run(context.Background(), h, in)
		if err != nil || !jsonEqual(t, res.Envelope.Data, `{"count":1}`) {
			t.Fatalf("hook %d on a spare runtime: %v %v", i, res, err)
		}
		waitSpares(2)
	}
	if st := e.Stats(); st.RuntimesCreated != 5 || st.IdleRuntimes != 5 {
		t.Errorf("stats %+v, want 5 runtimes taken (spares count as created) and 5 idle", st)
	}
	if _, err := engine.New(engine.WithSpareRuntimes(-1)); err == nil {
		t.Error("WithSpareRuntimes(-1) accepted")
	}
}

// TestChangedHookDropsOldVersion: when a hook's script changes (the same id,
// as a store gives it), the engine drops the old version's warm runtime
// and compiled program at the new version's first run instead of keeping
// them until the bounds push them out.
func TestChangedHookDropsOldVersion(t *testing.T) {
	e, err := engine.New()
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	counter := script(t, "isolation/counter.js")
	in := input(t, triggers.PreUserRegistration)
	v1 := engine.Hook{ID: "changing", Name: "counter", Trigger: triggers.PreUserRegistration, Script: counter}
	v2 := v1
	v2.Script = counter + "\n// version 2\n"
	steps := []struct {
		hook                  engine.Hook
		count, idle, programs int
	}{
		{v1, 1, 1, 1},
		{v1, 2, 1, 1}, // warm
		{v2, 1, 1, 1}, // v1's runtime and program dropped
		{v2, 2, 1, 1},
		{v1, 1, 1, 1}, // v1 again: cold, its runtime was dropped
	}
	for i, s := range steps {
		res, err := e.Run(context.Background(), s.hook, in)
		if err != nil || !jsonEqual(t, res.Envelope.Data, `{"count":`+strconv.Itoa(s.count)+`}`) {
			t.Fatalf("step %d: %v %v, want count %d", i, res, err, s.count)
		}
		if st := e.Stats(); st.IdleRuntimes != s.idle || st.CachedPrograms != s.programs {
			t.Fatalf("step %d: %d idle runtimes and %d programs, want %d and %d", i, st.IdleRuntimes, st.CachedPrograms, s.idle, s.programs)
		}
	}
}
