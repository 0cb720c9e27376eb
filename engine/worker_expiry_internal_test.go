package engine

import (
	"container/heap"
	"testing"
	"time"
)

// TestDropEndedRuns: a worker's live runs leave it once answered and past
// their wall time and the grace, whatever order they started in; a run
// still unanswered, or still in its wall time, stays; a retried run (gone
// from live already) does not take the entry of its execution's next run.
func TestDropEndedRuns(t *testing.T) {
	now := time.Date(2026, 12, 7, 8, 0, 0, 0, time.UTC)
	grace := 75 * time.Millisecond
	w := &proc{p: &workerPool{cfg: ProcessIsolation{Grace: grace}},
		live: make(map[uint64]*prun), byExec: make(map[string]*prun)}
	add := func(id uint64, exec string, wallEnd time.Duration, answered bool) *prun {
		r := &prun{id: id, exec: exec, w: w, wallEnd: now.Add(wallEnd), answered: answered}
		w.live[id], w.byExec[exec] = r, r
		heap.Push(&w.expiry, r)
		return r
	}
	// Started in this order; their wall times end in another.
	add(1, "long", 10*time.Second, true)
	add(2, "ended", -time.Second, true)
	add(3, "running", -time.Second/2, false)
	add(4, "in-grace", -grace/2, true)
	add(5, "ended-too", -2*time.Second, true)
	retried := add(6, "retried", -3*time.Second, true)
	delete(w.live, retried.id) // what answerLocked does for a retry
	add(7, "retried", time.Second, false)

	w.dropEndedLocked(now)
	for id, want := range map[uint64]bool{1: true, 2: false, 3: true, 4: true, 5: false, 7: true} {
		if _, ok := w.live[id]; ok != want {
			t.Errorf("run %d live = %v, want %v", id, ok, want)
		}
	}
	if r := w.byExec["retried"]; r == nil || r.id != 7 {
		t.Errorf("the retried execution's entry = %+v, want run 7", r)
	}
	// Once the unanswered run is answered and every wall time has ended,
	// nothing is left.
	w.live[3].answered, w.live[7].answered = true, true
	w.dropEndedLocked(now.Add(time.Minute))
	if len(w.live) != 0 || len(w.byExec) != 0 || len(w.expiry) != 0 {
		t.Errorf("left: live %d, byExec %d, expiry %d", len(w.live), len(w.byExec), len(w.expiry))
	}
}
