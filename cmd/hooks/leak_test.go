package main

import (
	"testing"

	"go.uber.org/goleak"

	"github.com/hookengine/hookengine/engine"
	"github.com/hookengine/hookengine/internal/leaktest"
)

// TestMain fails the tests if goroutines outlive them: every run must stop
// its engine, its signal handling and the work its hook left running. The
// test binary is also its own worker process for --isolation process.
func TestMain(m *testing.M) {
	engine.RunWorkerIfChild(workerOptions()...)
	goleak.VerifyTestMain(m, leaktest.Options()...)
}
