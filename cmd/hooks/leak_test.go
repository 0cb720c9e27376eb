package main

import (
	"testing"

	"go.uber.org/goleak"

	"github.com/hookengine/hookengine/internal/leaktest"
)

// TestMain fails the tests if goroutines outlive them: every run must stop
// its engine, its signal handling and the work its hook left running.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m, leaktest.Options()...)
}
