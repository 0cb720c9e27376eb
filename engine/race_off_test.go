//go:build !race

package engine_test

// raceScale stretches the slack of the hostile corpus under the race
// detector; without it the slack is as stated.
const raceScale = 1
