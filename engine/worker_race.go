//go:build race

package engine

// raceDetector: the race detector's shadow memory needs far more address
// space than RLIMIT_DATA leaves a worker, so race-enabled workers run
// without it (the parent's RSS checks and the cgroup still hold them).
const raceDetector = true
