//go:build !unix

package bench

// processCPU is not measured here: cpu-ns/op then reads 0.
func processCPU() int64 { return 0 }
