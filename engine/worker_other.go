//go:build !linux

package engine

import (
	"errors"
	"syscall"
)

// Outside Linux the worker tier runs without the kernel's limits: no data
// rlimit, no cgroup, no parent-death signal, and the parent cannot read a
// worker's RSS or CPU time; it still enforces wall time by killing workers.

var errNoProc = errors.New("not supported on this system")

func applyWorkerRlimit(int64) string           { return "unsupported on this system" }
func pdeathsigAttr() *syscall.SysProcAttr      { return nil }
func procRSS(int) (int64, error)               { return 0, errNoProc }
func procCPU(int) (int64, error)               { return 0, errNoProc }
func findCgroupMemory() (*cgroupMemory, error) { return nil, errNoProc }

type cgroupMemory struct{}

func (*cgroupMemory) create(int, int64) (string, error) { return "", errNoProc }
func (*cgroupMemory) oomKilled(string) bool             { return false }
func (*cgroupMemory) remove(string)                     {}
