package runner_test

import (
	"testing"

	"go.uber.org/goleak"

	"github.com/hookengine/hookengine/internal/leaktest"
)

// TestMain fails the tests if goroutines outlive them: engines run hooks on
// goroutines of their own, and SQLite stores keep connections.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m, leaktest.Options()...)
}
