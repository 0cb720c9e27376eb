//go:build linux

package engine

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// applyWorkerRlimit sets the worker's RLIMIT_DATA to limit bytes, and says
// what it did. RLIMIT_DATA, not RLIMIT_AS: the Go runtime reserves far more
// address space than it uses (arena and page-summary reservations are
// PROT_NONE and do not count in RLIMIT_DATA), so an address-space limit
// would have to be set gigabytes above the heap to let the runtime start,
// while the data limit tracks the memory the heap has actually mapped.
// Past it, the runtime's next mmap fails and the worker dies with "fatal
// error: runtime: out of memory", which the parent reads on its stderr.
func applyWorkerRlimit(limit int64) string {
	if limit <= 0 {
		return "none"
	}
	rl := syscall.Rlimit{Cur: uint64(limit), Max: uint64(limit)}
	if err := syscall.Setrlimit(syscall.RLIMIT_DATA, &rl); err != nil {
		return "RLIMIT_DATA not set: " + err.Error()
	}
	return "RLIMIT_DATA " + strconv.FormatInt(limit, 10)
}

// pdeathsigAttr makes a worker die with SIGKILL when the thread that
// started it ends: the pool starts workers from one goroutine locked to its
// thread for the pool's life, so the signal comes when the parent process
// dies, whatever kills it.
func pdeathsigAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}

var pageSize = int64(os.Getpagesize())

// procRSS returns the resident set size of process pid, in bytes.
func procRSS(pid int) (int64, error) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/statm")
	if err != nil {
		return 0, err
	}
	f := bytes.Fields(b)
	if len(f) < 2 {
		return 0, errors.New("short statm")
	}
	pages, err := strconv.ParseInt(string(f[1]), 10, 64)
	return pages * pageSize, err
}

// clockTick is USER_HZ, the unit of /proc/PID/stat's times: 100 on every
// Linux architecture Go supports.
const clockTick = 100

// procCPU returns the CPU time process pid has used, user and system.
func procCPU(pid int) (int64, error) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, err
	}
	// The command name is in parentheses and may hold anything.
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0, errors.New("malformed stat")
	}
	f := bytes.Fields(b[i+1:])
	// After the name: state is field 3 of stat, utime 14 and stime 15.
	if len(f) < 13 {
		return 0, errors.New("short stat")
	}
	u, err1 := strconv.ParseInt(string(f[11]), 10, 64)
	s, err2 := strconv.ParseInt(string(f[12]), 10, 64)
	if err1 != nil || err2 != nil {
		return 0, errors.New("malformed stat times")
	}
	return (u + s) * (1e9 / clockTick), nil
}

// cgroupMemory is a way to put each worker in a memory cgroup of its own.
type cgroupMemory struct {
	dir     string // parent directory of the workers' cgroups
	v2      bool
	limitF  string // memory.max or memory.limit_in_bytes
	eventsF string // where OOM kills are counted
}

// findCgroupMemory finds where this process may create memory cgroups:
// under its own cgroup v2 (if the memory controller is on there), else
// under its own cgroup v1 memory cgroup. It tries creating one and says
// why it cannot.
func findCgroupMemory() (*cgroupMemory, error) {
	own, err := os.ReadFile("/proc/self/cgroup")
	if err != nil {
		return nil, err
	}
	var v2path, v1path string
	for _, line := range strings.Split(strings.TrimSpace(string(own)), "\n") {
		parts := strings.SplitN(line, ":", 3)
		if len(parts) != 3 {
			continue
		}
		switch {
		case parts[0] == "0" && parts[1] == "":
			v2path = parts[2]
		case slicesContains(strings.Split(parts[1], ","), "memory"):
			v1path = parts[2]
		}
	}
	var why []string
	if v2path != "" {
		for _, mnt := range []string{"/sys/fs/cgroup/unified", "/sys/fs/cgroup"} {
			dir := filepath.Join(mnt, v2path)
			ctl, err := os.ReadFile(filepath.Join(dir, "cgroup.controllers"))
			if err != nil {
				continue
			}
			if !slicesContains(strings.Fields(string(ctl)), "memory") {
				why = append(why, "cgroup v2 at "+mnt+" has no memory controller")
				continue
			}
			cg := &cgroupMemory{dir: dir, v2: true, limitF: "memory.max", eventsF: "memory.events"}
			if err := cg.probe(); err != nil {
				why = append(why, "cgroup v2: "+err.Error())
				continue
			}
			cg.sweep()
			return cg, nil
		}
	}
	if v1path != "" {
		cg := &cgroupMemory{dir: filepath.Join("/sys/fs/cgroup/memory", v1path), limitF: "memory.limit_in_bytes", eventsF: "memory.oom_control"}
		if err := cg.probe(); err != nil {
			why = append(why, "cgroup v1: "+err.Error())
		} else {
			cg.sweep()
			return cg, nil
		}
	}
	if len(why) == 0 {
		why = append(why, "no memory cgroup found for this process")
	}
	return nil, errors.New(strings.Join(why, "; "))
}

func slicesContains(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

// sweep removes the cgroups that the workers of a parent that is gone left
// behind (a parent killed with SIGKILL cannot remove them): those named
// after a pid that no longer runs. A cgroup that still holds a process is
// not empty, and the kernel refuses to remove it.
func (cg *cgroupMemory) sweep() {
	dirs, _ := filepath.Glob(filepath.Join(cg.dir, "hookengine-worker-*"))
	for _, d := range dirs {
		var parent, pid int
		if _, err := fmt.Sscanf(filepath.Base(d), "hookengine-worker-%d-%d", &parent, &pid); err != nil || parent == os.Getpid() {
			continue
		}
		if err := syscall.Kill(parent, 0); errors.Is(err, syscall.ESRCH) {
			_ = os.Remove(d)
		}
	}
}

// probe creates and removes a cgroup, to know the process may.
func (cg *cgroupMemory) probe() error {
	d := filepath.Join(cg.dir, fmt.Sprintf("hookengine-probe-%d", os.Getpid()))
	if err := os.Mkdir(d, 0o755); err != nil {
		return err
	}
	defer os.Remove(d)
	return os.WriteFile(filepath.Join(d, cg.limitF), []byte(strconv.Itoa(1<<30)), 0o644)
}

// create makes the cgroup of worker pid, limited to limit bytes, and moves
// the worker into it. It returns the cgroup's directory.
func (cg *cgroupMemory) create(pid int, limit int64) (string, error) {
	d := filepath.Join(cg.dir, fmt.Sprintf("hookengine-worker-%d-%d", os.Getpid(), pid))
	if err := os.Mkdir(d, 0o755); err != nil {
		return "", err
	}
	lim := []byte(strconv.FormatInt(limit, 10))
	if err := os.WriteFile(filepath.Join(d, cg.limitF), lim, 0o644); err != nil {
		os.Remove(d)
		return "", err
	}
	if cg.v2 {
		_ = os.WriteFile(filepath.Join(d, "memory.swap.max"), []byte("0"), 0o644)
	} else {
		// Best effort: without swap accounting the file does not exist.
		_ = os.WriteFile(filepath.Join(d, "memory.memsw.limit_in_bytes"), lim, 0o644)
	}
	if err := os.WriteFile(filepath.Join(d, "cgroup.procs"), []byte(strconv.Itoa(pid)), 0o644); err != nil {
		os.Remove(d)
		return "", err
	}
	return d, nil
}

// oomKilled reports whether the kernel OOM-killed a process of cgroup d.
func (cg *cgroupMemory) oomKilled(d string) bool {
	b, err := os.ReadFile(filepath.Join(d, cg.eventsF))
	if err != nil {
		return false
	}
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) == 2 && f[0] == "oom_kill" && f[1] != "0" {
			return true
		}
	}
	return false
}

// remove deletes cgroup d once its processes are gone.
func (cg *cgroupMemory) remove(d string) { _ = os.Remove(d) }
