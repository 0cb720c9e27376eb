package clock_test

import (
	"context"
	"fmt"
	"time"

	"github.com/hookengine/hookengine/sandbox/clock"
)

// Sleep waits on whatever Clock it is given: real time here, virtual time
// (enginetest.Clock) in tests. A cancelled context ends the wait early.
func ExampleSleep() {
	c := clock.System()
	start := c.Now()
	if err := clock.Sleep(context.Background(), c, 10*time.Millisecond); err != nil {
		fmt.Println(err)
	}
	fmt.Println("slept at least 10ms:", c.Now().Sub(start) >= 10*time.Millisecond)

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	fmt.Println(clock.Sleep(ctx, c, time.Hour))
	// Output:
	// slept at least 10ms: true
	// context canceled
}
