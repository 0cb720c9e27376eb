package soak_test

import (
	"context"
	"fmt"
	"time"

	"github.com/hookengine/hookengine/internal/soak"
)

// A short soak on two workers; "hooks soak" runs the same with a longer
// duration and prints the whole report.
func ExampleRun() {
	td, err := soak.FindTestdata(".")
	if err != nil {
		fmt.Println(err)
		return
	}
	rep, err := soak.Run(context.Background(), soak.Config{Duration: 500 * time.Millisecond, Workers: 2, Testdata: td})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("passed:", rep.OK())
	// Output: passed: true
}
