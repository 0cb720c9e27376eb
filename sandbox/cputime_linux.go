//go:build linux

package sandbox

import "golang.org/x/sys/unix"

// threadID returns the kernel id of the calling thread. The caller must have
// locked its goroutine to the thread.
func threadID() int { return unix.Gettid() }

// threadCPU returns the CPU time consumed so far by thread tid, in
// nanoseconds, or -1 if it cannot be read. It may be called from any thread.
func threadCPU(tid int) int64 {
	// The kernel encodes a per-thread CPU clock as the bitwise complement of
	// the thread id shifted left by three, with the "per thread" bit (4) and
	// the "scheduler runtime" clock (2) set.
	clock := int32((^tid)<<3 | 6)
	var ts unix.Timespec
	if err := unix.ClockGettime(clock, &ts); err != nil {
		return -1
	}
	return ts.Nano()
}

// threadCPUSupported reports whether threadCPU measures real CPU time.
const threadCPUSupported = true
