package mgmtapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"go.uber.org/zap/zapcore"
)

// Defaults of RunLogsConfig.
const (
	DefaultMaxLogStreams   = 32
	DefaultLogStreamBuffer = 256
	DefaultMaxLogMessage   = 8 << 10
	DefaultLogHeartbeat    = 15 * time.Second
	DefaultLogWriteTimeout = 10 * time.Second
)

// RunLogsConfig bounds a RunLogs. Zero fields take the defaults.
type RunLogsConfig struct {
	// MaxStreams is how many log streams may be open at once; more are
	// refused with 503. Default DefaultMaxLogStreams.
	MaxStreams int
	// Buffer is how many events a stream holds for a slow client; when it
	// is full, new events for that stream are dropped and counted, and
	// the next event delivered says how many. Default
	// DefaultLogStreamBuffer.
	Buffer int
	// MaxMessage bounds an event's message in bytes; longer ones are cut.
	// Default DefaultMaxLogMessage.
	MaxMessage int
	// Heartbeat is the interval of the comment lines that keep an idle
	// stream open through proxies and find clients that went away.
	// Default DefaultLogHeartbeat.
	Heartbeat time.Duration
	// WriteTimeout bounds each write to a client; a client that does not
	// read ends its stream. Default DefaultLogWriteTimeout.
	WriteTimeout time.Duration
}

// RunLogEvent is one line of a hook run's output, as the log stream sends
// it in the data of a "log" event.
type RunLogEvent struct {
	// Time is when the line was logged.
	Time time.Time `json:"time"`
	// Level is debug, info, warn or error.
	Level string `json:"level"`
	// Message is the line: what the script printed (secret values
	// redacted by the engine), or the engine's message.
	Message string `json:"message"`
	// Source is "console" for the script's console output, "engine" for
	// what the engine reports about the script (an unhandled rejection, an
	// exception after the callback), "" for the engine's other lines, such
	// as the end of a run.
	Source string `json:"source,omitempty"`
	// HookID is the hook that ran.
	HookID string `json:"hook_id"`
	// HookName is its name at the time of the run.
	HookName string `json:"hook_name,omitempty"`
	// Trigger is its extensibility point.
	Trigger string `json:"trigger,omitempty"`
	// ExecutionID identifies the run, as in the run endpoints' answers.
	ExecutionID string `json:"execution_id,omitempty"`
	// Status is the envelope's status, on the line that ends a run.
	Status string `json:"status,omitempty"`
	// Error is why a run ended without the hook calling back, on the line
	// that ends it.
	Error string `json:"error,omitempty"`
	// DurationMS is the run's duration in milliseconds, on the line that
	// ends it.
	DurationMS float64 `json:"duration_ms,omitempty"`
	// Fields are the line's other fields (a fetch's origin and status...).
	Fields map[string]any `json:"fields,omitempty"`
	// Dropped counts the events of this stream dropped before this one
	// because the client did not keep up.
	Dropped int64 `json:"dropped,omitempty"`
}

// RunLogs collects the output of hook runs from the engine's logger and
// streams it to the clients of the log stream endpoint (see WithRunLogs).
// Give the engine a logger whose core includes Core:
//
//	logs := mgmtapi.NewRunLogs(mgmtapi.RunLogsConfig{})
//	log := base.WithOptions(zap.WrapCore(func(c zapcore.Core) zapcore.Core {
//		return zapcore.NewTee(c, logs.Core())
//	}))
//	e, err := engine.New(engine.WithLogger(log))
//
// Every line the engine logs with a hook_id field is an event for the
// streams of that hook; nothing is kept when no stream is open, and
// publishing never blocks the run that logs. Close ends every stream; call
// it when the server shuts down (http.Server.RegisterOnShutdown), since a
// stream never ends by itself. A RunLogs is safe for concurrent use.
type RunLogs struct {
	cfg    RunLogsConfig
	active atomic.Int64 // open streams, read without mu on every log line
	mu     sync.Mutex
	subs   map[*logStream]struct{}
	done   chan struct{}
	closed bool
	seq    atomic.Uint64
}

// logStream is one client's subscription.
type logStream struct {
	hookID  string
	events  chan RunLogEvent
	dropped atomic.Int64
}

// stamp marks ev, taken from s.events, with the events dropped before it.
func (s *logStream) stamp(ev RunLogEvent) RunLogEvent {
	ev.Dropped = s.dropped.Swap(0)
	return ev
}

// Errors of subscribing to RunLogs.
var (
	errTooManyStreams = errors.New("mgmtapi: too many log streams")
	errLogsClosed     = errors.New("mgmtapi: run logs closed")
)

// NewRunLogs returns a RunLogs bounded by cfg.
func NewRunLogs(cfg RunLogsConfig) *RunLogs {
	if cfg.MaxStreams <= 0 {
		cfg.MaxStreams = DefaultMaxLogStreams
	}
	if cfg.Buffer <= 0 {
		cfg.Buffer = DefaultLogStreamBuffer
	}
	if cfg.MaxMessage <= 0 {
		cfg.MaxMessage = DefaultMaxLogMessage
	}
	if cfg.Heartbeat <= 0 {
		cfg.Heartbeat = DefaultLogHeartbeat
	}
	if cfg.WriteTimeout <= 0 {
		cfg.WriteTimeout = DefaultLogWriteTimeout
	}
	return &RunLogs{cfg: cfg, subs: map[*logStream]struct{}{}, done: make(chan struct{})}
}

// Core returns the zapcore.Core that feeds l: tee it with the engine's
// logger's core. It is enabled only while a stream is open, so an engine
// logging to it costs nothing more when nobody watches.
func (l *RunLogs) Core() zapcore.Core { return &runLogsCore{l: l} }

// Close ends every stream and refuses new ones. It is safe to call more
// than once.
func (l *RunLogs) Close() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.closed {
		l.closed = true
		close(l.done)
	}
}

func (l *RunLogs) subscribe(hookID string) (*logStream, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	switch {
	case l.closed:
		return nil, errLogsClosed
	case len(l.subs) >= l.cfg.MaxStreams:
		return nil, errTooManyStreams
	}
	s := &logStream{hookID: hookID, events: make(chan RunLogEvent, l.cfg.Buffer)}
	l.subs[s] = struct{}{}
	l.active.Store(int64(len(l.subs)))
	return s, nil
}

func (l *RunLogs) unsubscribe(s *logStream) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.subs, s)
	l.active.Store(int64(len(l.subs)))
}

// publish hands ev to the streams of its hook, never waiting for one.
func (l *RunLogs) publish(ev RunLogEvent) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for s := range l.subs {
		if s.hookID != ev.HookID {
			continue
		}
		select {
		case s.events <- ev:
		default:
			s.dropped.Add(1)
		}
	}
}

// truncate cuts s to at most n bytes, on a character boundary, marking the
// cut.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	const mark = "… [truncated]"
	cut := max(n-len(mark), 0)
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + mark
}

// runLogsCore is the zapcore.Core of a RunLogs.
type runLogsCore struct {
	l      *RunLogs
	fields []zapcore.Field // from With, encoded only when a line is written
}

var _ zapcore.Core = (*runLogsCore)(nil)

// Enabled implements zapcore.LevelEnabler: every level, while a stream is
// open.
func (c *runLogsCore) Enabled(zapcore.Level) bool { return c.l.active.Load() > 0 }

// With implements zapcore.Core; the fields are kept as they are and
// encoded only for lines that are written.
func (c *runLogsCore) With(fields []zapcore.Field) zapcore.Core {
	all := make([]zapcore.Field, 0, len(c.fields)+len(fields))
	return &runLogsCore{l: c.l, fields: append(append(all, c.fields...), fields...)}
}

// Check implements zapcore.Core.
func (c *runLogsCore) Check(ent zapcore.Entry, ce *zapcore.CheckedEntry) *zapcore.CheckedEntry {
	if c.Enabled(ent.Level) {
		return ce.AddCore(ent, c)
	}
	return ce
}

// Write implements zapcore.Core: a line with a hook_id field becomes a
// RunLogEvent for the streams of that hook.
func (c *runLogsCore) Write(ent zapcore.Entry, fields []zapcore.Field) error {
	enc := zapcore.NewMapObjectEncoder()
	for _, f := range c.fields {
		f.AddTo(enc)
	}
	for _, f := range fields {
		f.AddTo(enc)
	}
	m := enc.Fields
	hookID, _ := m["hook_id"].(string)
	if hookID == "" {
		return nil // not a hook run's line
	}
	str := func(k string) string {
		v, _ := m[k].(string)
		delete(m, k)
		return v
	}
	ev := RunLogEvent{
		Time:        ent.Time,
		Level:       ent.Level.String(),
		Message:     truncate(ent.Message, c.l.cfg.MaxMessage),
		HookID:      str("hook_id"),
		HookName:    str("hook_name"),
		Trigger:     str("trigger"),
		ExecutionID: str("execution_id"),
		Source:      str("source"),
		Status:      str("status"),
		Error:       truncate(str("error"), c.l.cfg.MaxMessage),
	}
	if d, ok := m["duration"].(time.Duration); ok {
		ev.DurationMS = float64(d.Microseconds()) / 1000
		delete(m, "duration")
	}
	delete(m, "envelope") // the error envelope repeats the error
	delete(m, "stack")    // a Go stack, for the operator's logs, not the page
	for k, v := range m {
		switch v := v.(type) {
		case string:
			m[k] = truncate(v, c.l.cfg.MaxMessage)
		case time.Duration:
			m[k] = v.String()
		case bool, int64, int32, int, uint64, float64:
		default:
			delete(m, k) // only scalars: the rest is not for a log panel
		}
	}
	if len(m) > 0 {
		ev.Fields = m
	}
	c.l.publish(ev)
	return nil
}

// Sync implements zapcore.Core; there is nothing to flush.
func (c *runLogsCore) Sync() error { return nil }

// streamLogs serves GET /hookengine/v1/hooks/{id}/logs: server-sent events
// of every run of the hook, until the client goes away or the server shuts
// down.
func (h *Handler) streamLogs(w http.ResponseWriter, req *request) {
	ctx := req.r.Context()
	if _, err := h.store.GetHook(ctx, req.param); err != nil {
		h.storeError(w, req.r, err, "")
		return
	}
	s, err := h.logs.subscribe(req.param)
	if err != nil {
		msg := messageTooManyStreams
		if errors.Is(err, errLogsClosed) {
			msg = messageShuttingDown
		}
		w.Header().Set("Retry-After", "5")
		writeError(w, newError(http.StatusServiceUnavailable, CodeUnavailable, msg))
		return
	}
	defer h.logs.unsubscribe(s)
	cfg := h.logs.cfg
	rc := http.NewResponseController(w)
	hdr := w.Header()
	hdr.Set("Content-Type", "text/event-stream; charset=utf-8")
	hdr.Set("Cache-Control", "no-store")
	hdr.Set("X-Content-Type-Options", "nosniff")
	hdr.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	if req.r.Method == http.MethodHead {
		return
	}
	var buf bytes.Buffer
	// send writes and flushes buf. The stream outlives the server's write
	// timeout: each write gets its own deadline instead, so a client that
	// stops reading ends its stream. (net/http lifts the read deadline
	// itself once the request is read.)
	send := func() bool {
		_ = rc.SetWriteDeadline(time.Now().Add(cfg.WriteTimeout))
		_, err := w.Write(buf.Bytes())
		buf.Reset()
		return err == nil && rc.Flush() == nil
	}
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	buf.WriteString("retry: 2000\nevent: ready\ndata: ")
	enc.Encode(struct {
		HookID string `json:"hook_id"`
	}{req.param})
	buf.WriteByte('\n')
	if !send() {
		return
	}
	tick := time.NewTicker(cfg.Heartbeat)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-h.logs.done:
			buf.WriteString("event: end\ndata: {\"reason\":\"shutdown\"}\n\n")
			send()
			return
		case <-tick.C:
			buf.WriteString(": keep-alive\n\n")
		case ev := <-s.events:
			ev = s.stamp(ev)
			fmt.Fprintf(&buf, "id: %d\nevent: log\ndata: ", h.logs.seq.Add(1))
			if enc.Encode(ev) != nil { // a field JSON cannot hold, such as NaN
				ev.Fields = nil
				enc.Encode(ev)
			}
			// Encode ended the data line; a blank line ends the event.
			buf.WriteByte('\n')
		}
		if !send() {
			return
		}
	}
}
