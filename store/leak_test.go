package store_test

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the tests if goroutines outlive them: database/sql starts
// goroutines that only Close stops.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
