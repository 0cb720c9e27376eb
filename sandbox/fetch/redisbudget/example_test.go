package redisbudget_test

import (
	"fmt"

	"github.com/hookengine/hookengine/sandbox/fetch"
	"github.com/hookengine/hookengine/sandbox/fetch/redisbudget"
)

// Every replica opens the same Redis with the same prefix; their Throttles
// then share each origin's budget.
func ExampleOpen() {
	budget, rdb, err := redisbudget.Open("redis://127.0.0.1:6379/0", redisbudget.Options{Prefix: "myapp:fetch:"})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer rdb.Close()
	th := fetch.NewThrottle(fetch.ThrottleOptions{Shared: budget})
	fmt.Println(th.Stats().Requests)
	// Output: 0
}
