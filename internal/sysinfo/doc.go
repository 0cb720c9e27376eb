// Package sysinfo describes the machine a measurement ran on, for the
// reports of hooks soak and bench's benchtable.
package sysinfo
