//go:build !race

package engine

// raceDetector: see worker_race.go.
const raceDetector = false
