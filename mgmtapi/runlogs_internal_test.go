package mgmtapi

import (
	"strconv"
	"strings"
	"testing"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
)

// TestRunLogsDrops checks that publishing never waits for a slow stream:
// what does not fit in its buffer is dropped, counted, and reported with
// the next event it gets.
func TestRunLogsDrops(t *testing.T) {
	l := NewRunLogs(RunLogsConfig{Buffer: 2})
	core := l.Core()
	if core.Enabled(zapcore.DebugLevel) {
		t.Error("the core is enabled with no stream open")
	}
	slow, err := l.subscribe("h1")
	if err != nil {
		t.Fatal(err)
	}
	other, err := l.subscribe("h2")
	if err != nil {
		t.Fatal(err)
	}
	if !core.Enabled(zapcore.DebugLevel) {
		t.Error("the core is disabled with streams open")
	}
	log := zap.New(core).With(zap.String("hook_id", "h1"))
	for i := range 5 {
		log.Info("line " + strconv.Itoa(i))
	}
	if n := len(slow.events); n != 2 {
		t.Errorf("%d events buffered, want 2", n)
	}
	if n := len(other.events); n != 0 {
		t.Errorf("another hook's stream got %d events", n)
	}
	first := slow.stamp(<-slow.events)
	second := slow.stamp(<-slow.events)
	if first.Message != "line 0" || first.Dropped != 3 || second.Message != "line 1" || second.Dropped != 0 {
		t.Errorf("events %+v, %+v", first, second)
	}
	l.unsubscribe(slow)
	l.unsubscribe(other)
	if core.Enabled(zapcore.InfoLevel) {
		t.Error("the core is enabled after the streams ended")
	}

	// Bounded: MaxStreams, then nothing after Close.
	l = NewRunLogs(RunLogsConfig{MaxStreams: 1})
	s, err := l.subscribe("h")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := l.subscribe("h"); err != errTooManyStreams {
		t.Errorf("second stream: %v", err)
	}
	l.unsubscribe(s)
	l.Close()
	l.Close()
	if _, err := l.subscribe("h"); err != errLogsClosed {
		t.Errorf("after Close: %v", err)
	}
}

func TestTruncate(t *testing.T) {
	for _, tt := range []struct {
		in   string
		n    int
		want string
	}{
		{"short", 10, "short"},
		{strings.Repeat("a", 30), 20, "aaaaa… [truncated]"}, // 20 bytes
		{strings.Repeat("é", 20), 22, "ééé… [truncated]"},   // never half a character
		{"abc", 2, "… [truncated]"},
	} {
		if got := truncate(tt.in, tt.n); got != tt.want {
			t.Errorf("truncate(%q, %d) = %q, want %q", tt.in, tt.n, got, tt.want)
		}
	}
}

// TestRunLogsLeaveOutGoStacks checks that the Go stack the engine logs
// with an internal error stays in the operator's logs: the page's stream
// gets the line without it.
func TestRunLogsLeaveOutGoStacks(t *testing.T) {
	l := NewRunLogs(RunLogsConfig{})
	s, err := l.subscribe("h1")
	if err != nil {
		t.Fatal(err)
	}
	defer l.unsubscribe(s)
	zap.New(l.Core()).Error("internal error while running a hook", zap.String("hook_id", "h1"),
		zap.ByteString("stack", []byte("goroutine 7 [running]:\ngithub.com/dop251/goja.(*vm).run(...)")),
		zap.String("envelope", `{"message":"x"}`), zap.Int("n", 1))
	ev := <-s.events
	if _, ok := ev.Fields["stack"]; ok || ev.Fields["envelope"] != nil || ev.Fields["n"] != int64(1) {
		t.Errorf("fields %v, want n only", ev.Fields)
	}
}
