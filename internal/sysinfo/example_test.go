package sysinfo_test

import (
	"fmt"

	"github.com/hookengine/hookengine/internal/sysinfo"
)

// Reports name the CPU they were measured on.
func ExampleCPUModel() {
	fmt.Println(sysinfo.CPUModel() != "")
	// Output: true
}
