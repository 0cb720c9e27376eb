//go:build linux

package bench

import "golang.org/x/sys/unix"

// threadCPU returns the CPU time the calling thread has used, in
// nanoseconds, from the kernel's scheduler clock of the thread (getrusage's
// per-thread figure is built from ticks and undercounts). The caller locks
// its goroutine to its thread.
func threadCPU() int64 {
	var ts unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_THREAD_CPUTIME_ID, &ts); err != nil {
		return 0
	}
	return ts.Nano()
}
