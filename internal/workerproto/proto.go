package workerproto

import (
	"bufio"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"
)

// MaxFrame bounds one frame: room for a fetch response body at its default
// limit (10 MiB, base64-encoded), a large script or input, and the headers.
const MaxFrame = 64 << 20

// Errors of Reader and Writer.
var (
	// ErrFrameTooLarge reports a frame whose length is over MaxFrame.
	ErrFrameTooLarge = errors.New("workerproto: frame too large")
	// ErrBadFrame reports a frame that is not one JSON Message.
	ErrBadFrame = errors.New("workerproto: malformed frame")
)

// Kind names what a Message is.
type Kind string

// Kinds of messages. Parent to worker: Init (first), Run, Cancel,
// FetchResult, Close. Worker to parent: Ready (first), Result, Log, Fetch,
// FetchCancel, Recycle.
const (
	KindInit        Kind = "init"
	KindRun         Kind = "run"
	KindCancel      Kind = "cancel"
	KindFetchResult Kind = "fetch_result"
	KindClose       Kind = "close"

	KindReady       Kind = "ready"
	KindResult      Kind = "result"
	KindLog         Kind = "log"
	KindFetch       Kind = "fetch"
	KindFetchCancel Kind = "fetch_cancel"
	// KindRecycle asks the parent to drain and replace the worker.
	KindRecycle Kind = "recycle"
)

// Message is one frame. Kind says which of the other fields are set.
type Message struct {
	Kind Kind `json:"k"`
	// Run identifies a run on one connection (Run, Cancel, Result, Fetch,
	// FetchResult, FetchCancel, Log).
	Run uint64 `json:"r,omitempty"`
	// Fetch identifies a request of a run (Fetch, FetchResult,
	// FetchCancel).
	Fetch uint64 `json:"f,omitempty"`

	Init    *Init          `json:"init,omitempty"`
	Start   *Start         `json:"start,omitempty"`
	Result  *Result        `json:"result,omitempty"`
	Log     *Log           `json:"log,omitempty"`
	Request *Request       `json:"req,omitempty"`
	Answer  *FetchResponse `json:"resp,omitempty"`
	Ready   *Ready         `json:"ready,omitempty"`
}

// Limits mirror engine.Limits.
type Limits struct {
	WallTime   time.Duration `json:"wall,omitempty"`
	CPUTime    time.Duration `json:"cpu,omitempty"`
	StackDepth int           `json:"stack,omitempty"`
	Memory     int64         `json:"mem,omitempty"`
	// FetchRequests and FetchRunBytes are a hook's own fetch caps.
	FetchRequests int   `json:"fetch_requests,omitempty"`
	FetchRunBytes int64 `json:"fetch_run_bytes,omitempty"`
}

// Init configures the worker's engine.
type Init struct {
	Limits        Limits `json:"limits"`
	MemoryCeiling int64  `json:"ceiling,omitempty"`
	MemoryLimit   int64  `json:"memory_limit,omitempty"`
	ProgramCache  int    `json:"programs,omitempty"`
	MaxIdle       int    `json:"max_idle,omitempty"`
	PerHook       int    `json:"per_hook,omitempty"`
	Fresh         bool   `json:"fresh,omitempty"`
	MaxLogLines   int    `json:"log_lines,omitempty"`
	MaxLogBytes   int    `json:"log_bytes,omitempty"`
	MaxRequests   int    `json:"max_requests,omitempty"`
	MaxConcurrent int    `json:"max_concurrent,omitempty"`
	MaxRunBytes   int64  `json:"max_run_bytes,omitempty"`
	LogLevel      int8   `json:"log_level"`
	RlimitData    int64  `json:"rlimit_data,omitempty"`
	// MaxStuck and StuckGrace are the engine's WithStuckRuntimes settings.
	MaxStuck   int           `json:"max_stuck,omitempty"`
	StuckGrace time.Duration `json:"stuck_grace,omitempty"`
	// Spares is the engine's WithSpareRuntimes count: each worker keeps
	// that many runtimes set up in advance.
	Spares int `json:"spares,omitempty"`
	// TestCrashHook, set by tests only, makes the worker crash when it is
	// asked to run a hook of that name.
	TestCrashHook string `json:"test_crash,omitempty"`
}

// Ready is the worker's first message.
type Ready struct {
	PID int `json:"pid"`
	// Rlimit says what the worker did about its address-space limit.
	Rlimit string `json:"rlimit,omitempty"`
}

// Hook mirrors engine.Hook.
type Hook struct {
	ID           string            `json:"id,omitempty"`
	Name         string            `json:"name,omitempty"`
	Trigger      string            `json:"trigger"`
	Script       string            `json:"script"`
	Form         string            `json:"form,omitempty"`
	Secrets      map[string]string `json:"secrets,omitempty"`
	Dependencies map[string]string `json:"deps,omitempty"`
	Limits       Limits            `json:"limits"`
	FreshRuntime bool              `json:"fresh,omitempty"`
}

// Start asks the worker to run a hook.
type Start struct {
	Hook        Hook   `json:"hook"`
	ExecutionID string `json:"exec"`
	// Input is the request body as JSON text; NullInput means the input
	// was nil.
	Input     string `json:"input,omitempty"`
	NullInput bool   `json:"null,omitempty"`
	// Deadline is the deadline of the caller's context, if it has one: the
	// worker's run passes it as the caller's would, and ends with
	// context.DeadlineExceeded.
	Deadline time.Time `json:"deadline,omitzero"`
}

// Error is an error that crosses the pipe keeping what errors.Is and
// errors.As need: Code names the sentinel or type, the other fields are the
// type's.
type Error struct {
	Code    string `json:"code"`
	Message string `json:"msg,omitempty"`
	Limit   string `json:"limit,omitempty"`
	Stack   string `json:"stack,omitempty"`
	Line    int    `json:"line,omitempty"`
	Column  int    `json:"col,omitempty"`
	// Fetch errors.
	Addr    string        `json:"addr,omitempty"`
	Reason  string        `json:"reason,omitempty"`
	Origin  string        `json:"origin,omitempty"`
	Wait    time.Duration `json:"wait,omitempty"`
	Retries int           `json:"retries,omitempty"`
	Status  int           `json:"status,omitempty"`
}

// LogEntry mirrors engine.LogEntry.
type LogEntry struct {
	Time    time.Time `json:"t"`
	Level   string    `json:"l"`
	Message string    `json:"m"`
}

// Result is how a run ended.
type Result struct {
	Status      string          `json:"status"`
	Data        json.RawMessage `json:"data,omitempty"`
	Form        string          `json:"form,omitempty"`
	Err         *Error          `json:"err,omitempty"`
	Logs        []LogEntry      `json:"logs,omitempty"`
	LogsDropped int             `json:"dropped,omitempty"`
	CPUTime     time.Duration   `json:"cpu,omitempty"`
}

// Field is one field of a log line, as zap's JSON encoder would write its
// value.
type Field struct {
	Key   string          `json:"k"`
	Value json.RawMessage `json:"v"`
}

// Log is one line the worker's engine logged, console output of hooks
// included.
type Log struct {
	Time    time.Time `json:"t"`
	Level   int8      `json:"l"`
	Message string    `json:"m"`
	Fields  []Field   `json:"f,omitempty"`
	// Console is set for a line of the hook's console output, which the
	// parent also keeps for the run's result.
	Console bool `json:"c,omitempty"`
	// ConsoleLevel is the console level ("log", "warn"...) of a console line.
	ConsoleLevel string `json:"cl,omitempty"`
	// ExecutionID is the run the line belongs to, when it belongs to one.
	ExecutionID string `json:"x,omitempty"`
}

// Request is a fetch request a worker asks its parent to send.
type Request struct {
	Method string      `json:"method"`
	URL    string      `json:"url"`
	Header http.Header `json:"header,omitempty"`
	Body   []byte      `json:"body,omitempty"`
}

// FetchResponse is the parent's answer to a Request: a response or an
// error.
type FetchResponse struct {
	Status     int         `json:"status,omitempty"`
	StatusText string      `json:"status_text,omitempty"`
	URL        string      `json:"url,omitempty"`
	Redirected bool        `json:"redirected,omitempty"`
	Header     http.Header `json:"header,omitempty"`
	Body       []byte      `json:"body,omitempty"`
	Err        *Error      `json:"err,omitempty"`
}

// Writer writes frames. It is safe for concurrent use: each frame is
// written whole.
type Writer struct {
	mu sync.Mutex
	w  *bufio.Writer
}

// NewWriter returns a Writer on w.
func NewWriter(w io.Writer) *Writer { return &Writer{w: bufio.NewWriterSize(w, 64<<10)} }

// Write encodes m as one frame and flushes it.
func (w *Writer) Write(m *Message) error {
	b, err := json.Marshal(m)
	if err != nil {
		return fmt.Errorf("workerproto: encoding a %s message: %w", m.Kind, err)
	}
	if len(b) > MaxFrame {
		return fmt.Errorf("%w: %d bytes in a %s message", ErrFrameTooLarge, len(b), m.Kind)
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	var hdr [4]byte
	binary.BigEndian.PutUint32(hdr[:], uint32(len(b)))
	if _, err := w.w.Write(hdr[:]); err != nil {
		return err
	}
	if _, err := w.w.Write(b); err != nil {
		return err
	}
	return w.w.Flush()
}

// Reader reads frames. It is not safe for concurrent use.
type Reader struct {
	r   *bufio.Reader
	buf []byte
}

// NewReader returns a Reader on r.
func NewReader(r io.Reader) *Reader { return &Reader{r: bufio.NewReaderSize(r, 64<<10)} }

// Read returns the next message. It returns io.EOF at a clean end between
// frames, io.ErrUnexpectedEOF for a truncated frame, ErrFrameTooLarge or
// ErrBadFrame for bytes that are not a frame; after any error the stream
// is not usable any more.
func (r *Reader) Read() (*Message, error) {
	var hdr [4]byte
	if _, err := io.ReadFull(r.r, hdr[:]); err != nil {
		return nil, err
	}
	n := binary.BigEndian.Uint32(hdr[:])
	if n > MaxFrame {
		return nil, fmt.Errorf("%w: %d bytes", ErrFrameTooLarge, n)
	}
	if cap(r.buf) < int(n) {
		r.buf = make([]byte, n)
	}
	b := r.buf[:n]
	if _, err := io.ReadFull(r.r, b); err != nil {
		if errors.Is(err, io.EOF) {
			err = io.ErrUnexpectedEOF
		}
		return nil, err
	}
	if cap(r.buf) > 1<<20 {
		r.buf = nil // do not keep a large buffer for small frames
	}
	m := new(Message)
	if err := json.Unmarshal(b, m); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadFrame, err)
	}
	if m.Kind == "" {
		return nil, fmt.Errorf("%w: no kind", ErrBadFrame)
	}
	return m, nil
}
