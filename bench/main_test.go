package bench

import (
	"os"
	"testing"

	"github.com/hookengine/hookengine/engine"
)

// TestMain lets the test binary be its own worker process for the
// hookengine-worker contender.
func TestMain(m *testing.M) {
	engine.RunWorkerIfChild()
	os.Exit(m.Run())
}
