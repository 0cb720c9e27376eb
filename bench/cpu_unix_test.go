//go:build unix

package bench

import "syscall"

// processCPU returns the CPU time this process has used so far, user and
// system, in nanoseconds: every goroutine's, the collector's and any
// background work the contender does (a spare runtime being built), not
// only the calling goroutine's.
func processCPU() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}
