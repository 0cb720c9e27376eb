package sysinfo

import (
	"bufio"
	"os"
	"runtime"
	"strings"
)

// CPUModel returns the CPU's model name from /proc/cpuinfo, or GOARCH where
// there is none (other systems than Linux).
func CPUModel() string {
	f, err := os.Open("/proc/cpuinfo")
	if err != nil {
		return runtime.GOARCH
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return runtime.GOARCH
}
