package enginetest_test

import (
	"context"
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
