package modules_test

import (
	"os"
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the run if a test leaves a goroutine behind (a request
// still in flight, a server not closed), and removes the packages
// TestNPMPackages installed.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m, goleak.Cleanup(func(int) {
		if npmDir != "" {
			_ = os.RemoveAll(npmDir)
		}
	}))
}
