//go:build race

package engine_test

// raceScale stretches the slack of the hostile corpus under the race
// detector, which slows the built-ins a limit cannot interrupt about
// tenfold.
const raceScale = 10
