//go:build !linux

package sandbox

func threadID() int { return 0 }

func threadCPU(int) int64 { return -1 }

// threadCPUSupported reports whether threadCPU measures real CPU time. Where
// it does not, time spent inside a turn is charged at wall-clock time.
const threadCPUSupported = false
