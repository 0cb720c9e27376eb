//go:build !unix

package engine

import "os"

// pipeFile is os.NewFile where a pipe cannot be made non-blocking.
func pipeFile(fd int, name string) *os.File {
	return os.NewFile(uintptr(fd), name)
}
