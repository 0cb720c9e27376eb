package engine_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/hookengine/hookengine/engine"
	"github.com/hookengine/hookengine/triggers"
)

// An embedder that runs hooks in worker processes adds one line at the top
// of its main; the engine starts workers by running the program again:
//
//	func main() {
//		engine.RunWorkerIfChild() // a worker serves runs here and never returns
//		// ... the program as before: flags, engine.New, servers ...
//	}
//
// In an ordinary process RunWorkerIfChild returns at once. (This example's
// test binary calls it in TestMain.)
func ExampleRunWorkerIfChild() {
	engine.RunWorkerIfChild()
	fmt.Println("not a worker: main goes on")
	// Output: not a worker: main goes on
}

// The same Run, in a worker process: a hook that never yields is ended at
// its wall-time limit, and the next run is served as usual.
func ExampleWithProcessIsolation() {
	e, err := engine.New(engine.WithProcessIsolation(engine.ProcessIsolation{Workers: 1}))
	if err != nil {
		panic(err)
	}
	defer e.Close()

	spin := engine.Hook{
		Name:    "spin",
		Trigger: triggers.PreUserRegistration,
		Script:  `module.exports = function (user, context, cb) { for (;;) {} };`,
		Limits:  engine.Limits{WallTime: 200 * time.Millisecond, CPUTime: time.Hour},
	}
	input := triggers.PreUserRegistrationInput{
		User:    triggers.RegistrationUser{Email: "ada@example.com"},
		Context: triggers.RegistrationContext{Connection: triggers.Connection{Name: "Username-Password-Authentication"}},
	}
	_, err = e.Run(context.Background(), spin, input)
	fmt.Println(errors.Is(err, engine.ErrWallTimeExceeded))

	hello := engine.Hook{
		Name:    "hello",
		Trigger: triggers.PreUserRegistration,
		Script:  `module.exports = function (user, context, cb) { cb(null, { user: { app_metadata: { hello: 'world' } } }); };`,
	}
	res, err := e.Run(context.Background(), hello, input)
	if err != nil {
		panic(err)
	}
	fmt.Println(res.Envelope.Status, string(res.Envelope.Data))
	// Output:
	// true
	// success {"user":{"app_metadata":{"hello":"world"}}}
}
