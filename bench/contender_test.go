package bench

import (
	"strconv"
	"sync/atomic"
	"testing"
)

// mode says how a scenario uses a hook.
type mode int

const (
	// warm runs the same hook again and again: whatever a contender can
	// cache, it has cached.
	warm mode = iota
	// cold runs a hook never seen before on every call: each call's script
	// differs (by a trailing comment), so nothing compiled can be reused.
	cold
)

// A contender runs hooks one way. Each contender is in its own file.
type contender struct {
	name string
	// supports reports whether the contender can run w in mode m.
	supports func(w *workload, m mode) bool
	// open prepares the contender to run w in mode m.
	open func(tb testing.TB, w *workload, m mode) runner
}

// A runner runs one workload for one contender.
type runner interface {
	// caller returns a function that runs the hook once and returns the
	// JSON text the hook called back with. Each goroutine takes its own
	// caller; callers of one runner may run at the same time.
	caller(tb testing.TB) func() (string, error)
	// close releases everything open and caller took: runtimes, event
	// loops, goroutines, processes.
	close()
}

// coldScript returns script made unique by a trailing comment, so that no
// cache keyed by the source can hold it.
func coldScript(script string, seq *atomic.Int64) string {
	return script + "\n// cold run " + strconv.FormatInt(seq.Add(1), 10) + "\n"
}

// wrapperSource is how the raw engines compile a hook: as the body of a
// function taking module, exports and require, like Node's module wrapper.
func wrapperSource(script string) string {
	return "(function (module, exports, require) {" + script + "\n})"
}

// goContenders are the contenders run from Go, in table order: all in
// this process but hookengine-worker, whose runs go to worker processes of
// the test binary.
func goContenders() []contender {
	return []contender{
		hookengineContender,
		hookengineSparesContender,
		hookengineWorkerContender,
		hookengineWorkerSparesContender,
		gojaCompileContender,
		gojaProgramContender,
		gojaReusedContender,
		ottoReusedContender,
		ottoNewContender,
		quickjsReusedContender,
		quickjsNewContender,
		nativeContender,
	}
}
