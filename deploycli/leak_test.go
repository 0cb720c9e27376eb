package deploycli_test

import (
	"testing"

	"go.uber.org/goleak"

	"github.com/hookengine/hookengine/internal/leaktest"
)

// TestMain fails the tests if goroutines outlive them: engines, test
// servers and HTTP clients start some.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m, leaktest.Options()...)
}
