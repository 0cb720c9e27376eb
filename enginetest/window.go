package enginetest

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// WindowServer is an HTTP server for tests of fetch's throttle: it allows
// a number of requests per second of a Clock's time, or of the system's
// (a fixed window),
// answers 429 Too Many Requests past it, and sends Auth0's rate-limit
// headers (X-RateLimit-Limit, -Remaining and -Reset) with every answer. It
// is safe for concurrent use.
type WindowServer struct {
	*httptest.Server

	mu        sync.Mutex
	counts    map[int64]int
	total     int
	overLimit int
	first     int64 // the first window with a request
	overLater int   // requests past the limit after the first window
}

// NewWindowServer starts a WindowServer allowing limit requests per second
// of clk's time. It is closed when the test ends.
func NewWindowServer(t testing.TB, clk *Clock, limit int) *WindowServer {
	return NewWindowServerAt(t, clk.Now, limit)
}

// NewWindowServerAt starts a WindowServer allowing limit requests per
// second of the time now gives, such as time.Now. It is closed when the
// test ends.
func NewWindowServerAt(t testing.TB, now func() time.Time, limit int) *WindowServer {
	s := &WindowServer{counts: map[int64]int{}}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		window := now().Unix()
		s.mu.Lock()
		if s.total == 0 {
			s.first = window
		}
		s.counts[window]++
		s.total++
		n := s.counts[window]
		if n > limit {
			s.overLimit++
			if window != s.first {
				s.overLater++
			}
		}
		s.mu.Unlock()
		w.Header().Set("X-RateLimit-Limit", strconv.Itoa(limit))
		w.Header().Set("X-RateLimit-Remaining", strconv.Itoa(max(limit-n, 0)))
		w.Header().Set("X-RateLimit-Reset", strconv.FormatInt(window+1, 10))
		if n > limit {
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		_, _ = io.WriteString(w, "ok")
	}))
	t.Cleanup(s.Close)
	return s
}

// Requests returns how many requests the server got, and how many of them
// came past their second's limit and were answered 429.
func (s *WindowServer) Requests() (total, overLimit int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.total, s.overLimit
}

// OverLimitAfterFirstWindow returns how many requests came past their
// second's limit in the seconds after the first one that had a request.
func (s *WindowServer) OverLimitAfterFirstWindow() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.overLater
}

// DriveHorizon is how far ahead Clock.Drive looks for the next timer.
const DriveHorizon = 10 * time.Minute

// DriveSettle is how long, in real time, Clock.Drive waits at most for the
// callers it woke to leave their wait before it moves the clock again.
const DriveSettle = 2 * time.Second

// Drive runs fn, which starts n callers and waits for them, while moving
// the clock to its next timer whenever every caller still running is
// waiting on it; waiting reports how many are (such as a fetch Throttle's
// Stats().Waiting). Each caller calls done, which fn is given, when it
// finishes. Drive returns when fn does.
//
// After each move Drive gives the woken callers up to DriveSettle to leave
// their wait before it moves again: a woken caller that is slow to leave
// (a loaded machine) still counts as waiting, and moving on then would
// reach the timers of the callers' own limits. For the same reason it
// only moves to timers due within DriveHorizon.
func (c *Clock) Drive(n int, waiting func() int64, fn func(done func())) {
	var active atomic.Int64
	active.Store(int64(n))
	stop := make(chan struct{})
	driver := make(chan struct{})
	go func() {
		defer close(driver)
		for {
			select {
			case <-stop:
				return
			default:
			}
			at, ok := c.Next()
			if a := active.Load(); a > 0 && waiting() >= a && ok && at.Sub(c.Now()) <= DriveHorizon {
				c.Advance(max(at.Sub(c.Now()), 0))
				// Give the woken callers time to leave their wait.
				for settle := time.Now().Add(DriveSettle); waiting() >= a && time.Now().Before(settle); {
					time.Sleep(50 * time.Microsecond)
				}
				continue
			}
			time.Sleep(50 * time.Microsecond)
		}
	}()
	fn(func() { active.Add(-1) })
	close(stop)
	<-driver
}
