package store_test

import (
	"testing"

	"go.uber.org/goleak"

	"github.com/hookengine/hookengine/internal/leaktest"
)

// TestMain fails the tests if goroutines outlive them: database/sql starts
// goroutines that only Close stops.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m, leaktest.Options()...)
}
