package sandbox_test

import (
	"testing"

	"go.uber.org/goleak"

	"github.com/hookengine/hookengine/internal/leaktest"
)

// TestMain fails the run if a test leaves a goroutine behind: a watchdog
// timer still armed, a completion goroutine never released, a stepper never
// stopped.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m, leaktest.Options()...)
}
