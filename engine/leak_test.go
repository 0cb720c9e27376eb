package engine_test

import (
	"testing"
	"time"

	"github.com/dop251/goja"
	"go.uber.org/goleak"

	"github.com/hookengine/hookengine/engine"
	"github.com/hookengine/hookengine/internal/leaktest"
)

func TestMain(m *testing.M) {
	// The test binary is its own worker for the process-isolation tests.
	engine.RunWorkerIfChild(engine.WithModule("test-stuck", stuckModule))
	goleak.VerifyTestMain(m, leaktest.Options()...)
}

// stuckModule gives workers spin(ms, started): Go code that calls started,
// if given, and then runs for ms milliseconds without ever looking at the
// watchdog's interrupt, as a native call stuck in a long computation does.
// An interrupt that reaches started is ignored too: once spin is called,
// the script is stuck.
func stuckModule(vm *goja.Runtime, module *goja.Object) {
	exports := module.Get("exports").(*goja.Object)
	_ = exports.Set("spin", func(call goja.FunctionCall) goja.Value {
		ms := call.Argument(0).ToInteger()
		if started, ok := goja.AssertFunction(call.Argument(1)); ok {
			_, _ = started(goja.Undefined())
		}
		end := time.Now().Add(time.Duration(ms) * time.Millisecond)
		for n := 0; time.Now().Before(end); n++ {
		}
		return goja.Undefined()
	})
}
