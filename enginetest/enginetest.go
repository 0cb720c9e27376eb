package enginetest

import (
	"context"
	"os"
	"testing"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest"
	"go.uber.org/zap/zaptest/observer"

	"github.com/hookengine/hookengine/engine"
	"github.com/hookengine/hookengine/triggers"
)

// New returns an engine whose logs go to t (shown when the test fails or
// runs with -v) and that is closed when the test ends. It fails the test if
// opts are invalid.
func New(t testing.TB, opts ...engine.Option) *engine.Engine {
	t.Helper()
	e, err := engine.New(append([]engine.Option{engine.WithLogger(zaptest.NewLogger(t))}, opts...)...)
	if err != nil {
		t.Fatalf("enginetest: engine.New: %v", err)
	}
	t.Cleanup(func() { _ = e.Close() })
	return e
}

// NewObserved is New with the engine's logs also recorded in memory, at
// debug level and above, for the test to inspect.
func NewObserved(t testing.TB, opts ...engine.Option) (*engine.Engine, *observer.ObservedLogs) {
	t.Helper()
	core, logs := observer.New(zapcore.DebugLevel)
	logger := zap.New(zapcore.NewTee(zaptest.NewLogger(t).Core(), core))
	e, err := engine.New(append([]engine.Option{engine.WithLogger(logger)}, opts...)...)
	if err != nil {
		t.Fatalf("enginetest: engine.New: %v", err)
	}
	t.Cleanup(func() { _ = e.Close() })
	return e, logs
}

// Run runs script as a hook of trigger on input, on a new engine made by New
// with opts, and returns what engine.Run returns.
func Run(t testing.TB, trigger triggers.ID, script string, input any, opts ...engine.Option) (*engine.Result, error) {
	t.Helper()
	return New(t, opts...).Run(context.Background(), engine.Hook{Name: t.Name(), Trigger: trigger, Script: script}, input)
}

// ReadFile returns the content of a file, typically a hook script or input
// under testdata, failing the test if it cannot be read.
func ReadFile(t testing.TB, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("enginetest: %v", err)
	}
	return string(b)
}
