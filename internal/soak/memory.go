package soak

import (
	"bytes"
	"runtime"
	"runtime/metrics"
	"runtime/pprof"
	"time"
)

// Snapshot is the process's goroutine count and live heap at one moment.
type Snapshot struct {
	Goroutines int `json:"goroutines"`
	// HeapLive is the live heap, in bytes, right after a forced
	// collection (runtime/metrics /gc/heap/live:bytes).
	HeapLive uint64 `json:"heap_live_bytes"`
}

var liveHeap = []metrics.Sample{{Name: "/gc/heap/live:bytes"}}

// takeSnapshot forces two collections (the second frees what the first
// found only through finalizers and sync.Pool victims) and reads the live
// heap and goroutine count.
func takeSnapshot() Snapshot {
	runtime.GC()
	runtime.GC()
	s := make([]metrics.Sample, len(liveHeap))
	copy(s, liveHeap)
	metrics.Read(s)
	return Snapshot{Goroutines: runtime.NumGoroutine(), HeapLive: s[0].Value.Uint64()}
}

// settle takes snapshots until goroutines and live heap are back to base
// (the heap within tolerance) or timeout has passed, and returns the last
// one. When goroutines are not back, it also returns the goroutine
// profile, for the report.
func settle(base Snapshot, tolerance int64, timeout time.Duration) (Snapshot, string) {
	deadline := time.Now().Add(timeout)
	for {
		s := takeSnapshot()
		back := s.Goroutines <= base.Goroutines && int64(s.HeapLive) <= int64(base.HeapLive)+tolerance
		if back || time.Now().After(deadline) {
			if s.Goroutines > base.Goroutines {
				var b bytes.Buffer
				_ = pprof.Lookup("goroutine").WriteTo(&b, 1)
				return s, b.String()
			}
			return s, ""
		}
		time.Sleep(50 * time.Millisecond)
	}
}
