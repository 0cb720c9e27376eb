package enginetest_test

import (
	"context"
	"flag"
	"fmt"
	"testing"
	"time"

	"github.com/hookengine/hookengine/engine"
	"github.com/hookengine/hookengine/enginetest"
	"github.com/hookengine/hookengine/triggers"
)

// A hook that waits five seconds on a timer runs at once in virtual time.
func ExampleClock() {
	clk := enginetest.NewClock(time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC))
	e, _ := engine.New(engine.WithClock(clk))
	defer e.Close()

	hook := engine.Hook{Trigger: triggers.PostChangePassword, Script: `
module.exports = function (user, context, cb) {
  setTimeout(() => cb(null, { at: new Date().toISOString() }), 5000);
};`}
	done := make(chan *engine.Result)
	go func() {
		res, _ := e.Run(context.Background(), hook, `{"user":{},"context":{"connection":{}}}`)
		done <- res
	}()
	clk.BlockUntil(2) // the run's wall-time limit and its wait for the timer
	clk.Advance(5 * time.Second)
	fmt.Println(string((<-done).Envelope.Data))
	// Output:
	// {"at":"2026-11-26T00:00:05.000Z"}
}

func TestRun(t *testing.T) {
	res, err := enginetest.Run(t, triggers.PreUserRegistration,
		`module.exports = (user, context, cb) => { console.log('hi', user.email); cb(); }`,
		`{"user":{"email":"a@b.c"},"context":{"connection":{}}}`)
	if err != nil {
		t.Fatal(err)
	}
	if string(res.Envelope.Data) != "{}" || len(res.Logs) != 1 || res.Logs[0].Message != "hi a@b.c" {
		t.Errorf("result = %s %v", res.Envelope.Data, res.Logs)
	}
}

func TestNewObserved(t *testing.T) {
	e, logs := enginetest.NewObserved(t)
	_, err := e.Run(context.Background(), engine.Hook{Trigger: triggers.PostChangePassword,
		Script: `module.exports = (u, c, cb) => { console.warn('careful'); cb(); }`}, `{"user":{},"context":{"connection":{}}}`)
	if err != nil {
		t.Fatal(err)
	}
	if logs.FilterMessage("careful").Len() != 1 {
		t.Errorf("logs = %v", logs.All())
	}
}

// A benchmark of a hook script, warm and cold. In a _test.go file:
//
//	func BenchmarkScope(b *testing.B) {
//		b.Run("warm", func(b *testing.B) { enginetest.Benchmark(b, enginetest.Warm, hook, input) })
//		b.Run("cold", func(b *testing.B) { enginetest.Benchmark(b, enginetest.Cold, hook, input) })
//	}
//
// go test -bench Scope -benchmem then reports cpu-ns/op and, warm,
// retained-B besides ns/op, B/op and allocs/op. Here testing.Benchmark runs
// it 20 times.
func ExampleBenchmark() {
	hook := engine.Hook{
		Name:    "scope",
		Trigger: triggers.CredentialsExchange,
		Script:  `module.exports = function (client, scope, audience, context, cb) { cb(null, { scope: scope }); };`,
	}
	input := `{"client":{"id":"c1","name":"reports","tenant":"acme","metadata":{}},"scope":["read:users"],"audience":"https://api.example.com","context":{}}`

	benchtime := flag.Lookup("test.benchtime").Value
	old := benchtime.String()
	_ = benchtime.Set("20x")
	defer func() { _ = benchtime.Set(old) }()
	for _, mode := range []enginetest.BenchMode{enginetest.Warm, enginetest.Cold} {
		r := testing.Benchmark(func(b *testing.B) { enginetest.Benchmark(b, mode, hook, input) })
		_, retained := r.Extra["retained-B"]
		fmt.Printf("%s: %d runs, cpu-ns/op reported: %v, retained-B reported: %v\n", mode, r.N, r.Extra["cpu-ns/op"] > 0, retained)
	}
	// Output:
	// warm: 20 runs, cpu-ns/op reported: true, retained-B reported: true
	// cold: 20 runs, cpu-ns/op reported: true, retained-B reported: false
}
