package sandbox

import (
	"fmt"
	"runtime"
	"runtime/metrics"
	"sync/atomic"
	"time"
)

// heapMetrics are the runtime/metrics figures the memory limits read.
var heapMetrics = []string{
	// Bytes of live objects as of the last completed collection.
	"/gc/heap/live:bytes",
	// Bytes of heap objects right now, garbage not yet swept included.
	"/memory/classes/heap/objects:bytes",
	// Collections completed so far.
	"/gc/cycles/total:gc-cycles",
}

// heapReader reads heapMetrics; each reader is used by one goroutine at a
// time.
type heapReader struct {
	samples []metrics.Sample
}

func newHeapReader() *heapReader {
	h := &heapReader{samples: make([]metrics.Sample, len(heapMetrics))}
	for i, name := range heapMetrics {
		h.samples[i].Name = name
	}
	return h
}

// read returns the live heap as of the last collection and the heap now.
func (h *heapReader) read() (live, now int64) {
	live, now, _ = h.readCycles()
	return live, now
}

// readCycles is read with the number of collections completed so far.
func (h *heapReader) readCycles() (live, now, cycles int64) {
	metrics.Read(h.samples)
	value := func(i int) int64 {
		if h.samples[i].Value.Kind() != metrics.KindUint64 {
			return 0
		}
		return int64(h.samples[i].Value.Uint64())
	}
	return value(0), value(1), value(2)
}

// Forced collections: when the live heap, known only as of the latest
// collection, is too stale to decide on, a collection is asked for. At most
// one runs at a time in the process, and they are spaced out.
var (
	gcRunning atomic.Bool
	gcLast    atomic.Int64 // UnixNano of the latest forced collection's start
)

// forcedGCInterval spaces forced collections.
const forcedGCInterval = 50 * time.Millisecond

// requestGC starts a collection in the background unless one is running or
// one started less than forcedGCInterval ago.
func requestGC() {
	if time.Since(time.Unix(0, gcLast.Load())) < forcedGCInterval || !gcRunning.CompareAndSwap(false, true) {
		return
	}
	gcLast.Store(time.Now().UnixNano())
	go func() {
		defer gcRunning.Store(false)
		runtime.GC()
	}()
}

// chargeAlloc checks a native allocation of about n bytes that a script
// asked for, before it is made: one allocation may not exceed the
// execution's memory limit, nor take the process heap over the ceiling.
// Going over ends the execution.
func (r *Runtime) chargeAlloc(n int64) { r.chargeAllocFloat(float64(n)) }

func (r *Runtime) chargeAllocFloat(n float64) {
	if !(n >= 1<<16) || !r.running {
		return // small allocations are left to the heap watchdog
	}
	limit, ceiling := r.wd.memoryLimits()
	if limit > 0 && n > float64(limit) {
		r.memoryExceeded(limit, fmt.Sprintf("one allocation of %s", formatBytes(int64(min(n, 1<<62)))))
	}
	if ceiling > 0 {
		if r.heap == nil {
			r.heap = newHeapReader()
		}
		if live, _ := r.heap.read(); float64(live)+n > float64(ceiling) {
			// Perhaps the live figure is stale: collect now and look again.
			runtime.GC()
			if live, _ := r.heap.read(); float64(live)+n > float64(ceiling) {
				r.memoryExceeded(ceiling, "the engine's heap ceiling")
			}
		}
	}
}

// memoryExceeded ends the execution for going over a memory limit and
// throws, so the native call that would have allocated does not run.
func (r *Runtime) memoryExceeded(limit int64, what string) {
	err := &LimitError{Err: ErrMemoryExceeded, Limit: formatBytes(limit)}
	r.Stop(err)
	panic(r.rangeError("Memory limit exceeded: %s is over the limit of %s", what, formatBytes(limit)))
}

// formatBytes writes a byte count with a binary unit.
func formatBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%dB", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	v := float64(n) / float64(div)
	if v == float64(int64(v)) {
		return fmt.Sprintf("%d%ciB", int64(v), "KMGTPE"[exp])
	}
	return fmt.Sprintf("%.1f%ciB", v, "KMGTPE"[exp])
}

// checkHalted lets a long native loop of the sandbox's own give up as soon
// as the execution has been stopped (a limit, cancellation), instead of
// running to its end first: goja's interruption only acts between
// instructions.
func (r *Runtime) checkHalted() {
	if r.wd.halted.Load() {
		panic(r.rangeError("the hook run was stopped"))
	}
}
