//go:build !linux

package bench

// threadCPU is not measured here: the paced contenders' cpu-ns/op then
// includes their spinning.
func threadCPU() int64 { return 0 }
