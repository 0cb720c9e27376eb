//go:build unix

package engine

import (
	"os"
	"syscall"
)

// pipeFile makes a worker's end of a pipe to its parent a file read and
// written through the Go runtime's poller. The pipes come in blocking:
// os/exec hands a child its files in blocking mode, and os.NewFile keeps a
// blocking descriptor out of the poller. A goroutine reading such a file
// holds its thread and P in the read system call, so a run the reader had
// just started waited for the runtime to take the P back (about 140 µs per
// run with GOMAXPROCS 1). Made non-blocking, the reader parks instead.
func pipeFile(fd int, name string) *os.File {
	_ = syscall.SetNonblock(fd, true)
	return os.NewFile(uintptr(fd), name)
}
