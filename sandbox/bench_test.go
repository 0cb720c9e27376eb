package sandbox_test

import (
	"testing"

	"github.com/hookengine/hookengine/sandbox"
)

// BenchmarkNew measures making a runtime: goja's own set-up plus the
// globals, modules and guards hookengine installs. It is the bulk of a
// hook's cold start.
func BenchmarkNew(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := sandbox.New(nil); err != nil {
			b.Fatal(err)
		}
	}
}
