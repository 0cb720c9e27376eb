//go:build unix

package engine

import (
	"errors"
	"os"
	"syscall"
	"testing"
	"time"
)

// TestPipeFilePolled: a pipe end handed over in blocking mode, as a worker
// gets its pipes, is read through the poller once pipeFile has it: a read
// deadline works (a blocking file has none) and a read with nothing to read
// parks until it, instead of holding its thread in read(2).
func TestPipeFilePolled(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	r.Fd() // puts the descriptor in blocking mode, as os/exec does for a child
	fd, err := syscall.Dup(int(r.Fd()))
	r.Close()
	if err != nil {
		t.Fatal(err)
	}
	f := pipeFile(fd, "test-pipe")
	defer f.Close()
	if err := f.SetReadDeadline(time.Now().Add(20 * time.Millisecond)); err != nil {
		t.Fatalf("SetReadDeadline: %v (the file is not in the poller)", err)
	}
	if _, err := f.Read(make([]byte, 1)); !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("Read with nothing written = %v, want the deadline", err)
	}
	if _, err := w.Write([]byte("x")); err != nil {
		t.Fatal(err)
	}
	_ = f.SetReadDeadline(time.Time{})
	b := make([]byte, 1)
	if n, err := f.Read(b); n != 1 || b[0] != 'x' || err != nil {
		t.Fatalf("Read = %d %q %v", n, b[:n], err)
	}
}
