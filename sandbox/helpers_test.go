package sandbox_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dop251/goja"

	"github.com/hookengine/hookengine/enginetest"
	"github.com/hookengine/hookengine/sandbox"
)

// epoch is where virtual clocks start.
var epoch = time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC)

// roomy are limits no test script comes close to, for tests about something
// else.
var roomy = sandbox.Limits{WallTime: time.Minute, CPUTime: 10 * time.Second}

// recorder is a Host that keeps everything it receives.
type recorder struct {
	mu        sync.Mutex
	console   []string // "level: message"
	uncaught  []string
	unhandled []string
}

func (h *recorder) Console(level sandbox.Level, msg string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.console = append(h.console, string(level)+": "+msg)
}

func (h *recorder) Uncaught(err *goja.Exception) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.uncaught = append(h.uncaught, err.Value().String())
}

func (h *recorder) Unhandled(reason goja.Value) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.unhandled = append(h.unhandled, reason.String())
}

// lines returns a copy of the console output so far.
func (h *recorder) lines() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]string(nil), h.console...)
}

// newRuntime builds a runtime from cfg, failing the test on error.
func newRuntime(t testing.TB, cfg *sandbox.Config) *sandbox.Runtime {
	t.Helper()
	rt, err := sandbox.New(cfg)
	if err != nil {
		t.Fatalf("New: got error %v, want nil", err)
	}
	return rt
}

// newVirtual builds a runtime on a virtual clock.
func newVirtual(t testing.TB) (*sandbox.Runtime, *enginetest.Clock) {
	t.Helper()
	clk := enginetest.NewClock(epoch)
	return newRuntime(t, &sandbox.Config{Clock: clk}), clk
}

// begin starts an execution that the test's cleanup ends if the test does not.
func begin(t testing.TB, rt *sandbox.Runtime, ctx context.Context, lim sandbox.Limits, host sandbox.Host) {
	t.Helper()
	rt.Begin(ctx, lim, host)
	t.Cleanup(func() { rt.End() })
}

// run runs src as one turn and returns its completion value.
func run(rt *sandbox.Runtime, src string) (goja.Value, error) {
	var v goja.Value
	err := rt.Do(func(vm *goja.Runtime) error {
		var err error
		v, err = vm.RunString(src)
		return err
	})
	return v, err
}

// mustRun runs src as one turn and fails the test if it does not complete.
func mustRun(t testing.TB, rt *sandbox.Runtime, src string) goja.Value {
	t.Helper()
	v, err := run(rt, src)
	if err != nil {
		t.Fatalf("running %q: got error %v, want nil", src, err)
	}
	return v
}

// eval runs src and returns its value as a string.
func eval(t testing.TB, rt *sandbox.Runtime, src string) string {
	t.Helper()
	return mustRun(t, rt, src).String()
}

// waitVirtual drives rt.Wait(done) on a virtual clock: whenever the loop
// blocks on a script timer, the clock moves on by one millisecond, so timers
// fire at their exact virtual times and nothing sleeps. The execution must
// have a wall-time limit (its clock timer is the one besides the loop's).
func waitVirtual(rt *sandbox.Runtime, clk *enginetest.Clock, done func() bool) error {
	stop := make(chan struct{})
	stepped := make(chan struct{})
	go func() {
		defer close(stepped)
		for {
			// Two timers: the wall-time limit and the loop's wake-up.
			clk.BlockUntil(2)
			select {
			case <-stop:
				return
			default:
			}
			clk.Advance(time.Millisecond)
		}
	}()
	err := rt.Wait(done)
	close(stop)
	// Wake the stepper if it waits for timers that will never come.
	a := clk.AfterFunc(time.Hour, func() {})
	b := clk.AfterFunc(time.Hour, func() {})
	<-stepped
	a.Stop()
	b.Stop()
	return err
}

// elapsed returns how far the virtual clock has moved since epoch.
func elapsed(clk *enginetest.Clock) time.Duration { return clk.Now().Sub(epoch) }

// jsOut reads the script's global array out as a comma-separated list.
func jsOut(t testing.TB, rt *sandbox.Runtime) string {
	t.Helper()
	return eval(t, rt, `out.join(',')`)
}

// outPrelude gives scripts a log function that records what happened and
// when, in virtual milliseconds since the script started.
const outPrelude = `
var out = [];
var t0 = Date.now();
function log(what) { out.push(what); }
function logAt(what) { out.push(what + '@' + (Date.now() - t0)); }
`

// limitOf returns the limit a *sandbox.LimitError reports, or fails.
func limitOf(t testing.TB, err error) string {
	t.Helper()
	var le *sandbox.LimitError
	if !errors.As(err, &le) {
		t.Fatalf("got error %v (%T), want a *sandbox.LimitError", err, err)
	}
	return le.Limit
}

// joinLines renders console output for messages.
func joinLines(lines []string) string {
	return fmt.Sprintf("%q", strings.Join(lines, " | "))
}
