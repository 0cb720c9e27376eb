package fetch_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hookengine/hookengine/enginetest"
	"github.com/hookengine/hookengine/sandbox/fetch"
)

var start = time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)

// waitingOn reports how many requests th holds back, for Clock.Drive.
func waitingOn(th *fetch.Throttle) func() int64 {
	return func() int64 { return th.Stats().Waiting }
}

func throttledClient(t *testing.T, th *fetch.Throttle) *http.Client {
	tr := &http.Transport{}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: &fetch.Transport{Base: tr, Throttle: th}}
}

// The Go-side Transport keeps concurrent callers within an origin's budget.
func TestTransportKeepsWithinBudget(t *testing.T) {
	clk := enginetest.NewClock(start)
	srv := enginetest.NewWindowServer(t, clk, 5)
	th := fetch.NewThrottle(fetch.ThrottleOptions{Clock: clk})
	client := throttledClient(t, th)

	var failures atomic.Int64
	clk.Drive(8, waitingOn(th), func(done func()) {
		var wg sync.WaitGroup
		for g := 0; g < 8; g++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer done()
				for i := 0; i < 5; i++ {
					resp, err := client.Get(srv.URL)
					if err != nil || resp.StatusCode != http.StatusOK {
						failures.Add(1)
					}
					if err == nil {
						resp.Body.Close()
					}
				}
			}()
		}
		wg.Wait()
	})
	if total, over := srv.Requests(); failures.Load() != 0 || over != 0 || total != 40 {
		t.Errorf("failures %d, requests past the limit %d, total %d", failures.Load(), over, total)
	}
	if got := clk.Now().Sub(start); got < 7*time.Second {
		t.Errorf("40 requests at 5 a second took %v of clock time", got)
	}
	if st := th.Stats(); st.Requests != 40 || st.Waits == 0 || st.WaitTime <= 0 || st.TooManyRequests != 0 {
		t.Errorf("stats = %+v", st)
	}
}

func TestTransportInitialConcurrency(t *testing.T) {
	var inflight, peak atomic.Int64
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := inflight.Add(1)
		for {
			p := peak.Load()
			if n <= p || peak.CompareAndSwap(p, n) {
				break
			}
		}
		<-release
		inflight.Add(-1)
	}))
	defer srv.Close()
	th := fetch.NewThrottle(fetch.ThrottleOptions{InitialConcurrency: 2})
	client := throttledClient(t, th)
	var wg sync.WaitGroup
	for i := 0; i < 6; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if resp, err := client.Get(srv.URL); err == nil {
				resp.Body.Close()
			}
		}()
	}
	for th.Stats().Waiting < 4 || inflight.Load() < 2 {
		time.Sleep(100 * time.Microsecond)
	}
	time.Sleep(5 * time.Millisecond) // room for a third request to arrive, if one wrongly could
	close(release)
	wg.Wait()
	if peak.Load() != 2 {
		t.Errorf("peak concurrency %d before limits were known, want 2", peak.Load())
	}
}

func TestTransport429(t *testing.T) {
	tests := []struct {
		desc     string
		answer   func(n int, w http.ResponseWriter) // n counts from 1
		opts     fetch.ThrottleOptions
		deadline time.Duration // 0: none
		requests int
		err      string // "" for success
		retries  int
		clock    time.Duration // clock time the request takes
	}{
		{
			desc: "retry after Retry-After",
			answer: func(n int, w http.ResponseWriter) {
				if n == 1 {
					w.Header().Set("Retry-After", "1")
					w.WriteHeader(http.StatusTooManyRequests)
				}
			},
			requests: 2, clock: time.Second,
		},
		{
			desc: "retry at the reset time",
			answer: func(n int, w http.ResponseWriter) {
				if n == 1 {
					w.Header().Set("X-RateLimit-Remaining", "0")
					w.Header().Set("X-RateLimit-Reset", strconv.FormatInt(start.Unix()+3, 10))
					w.WriteHeader(http.StatusTooManyRequests)
				}
			},
			requests: 2, clock: 3 * time.Second,
		},
		{
			desc: "Retry-After as a date",
			answer: func(n int, w http.ResponseWriter) {
				if n == 1 {
					w.Header().Set("Retry-After", start.Add(2*time.Second).Format(http.TimeFormat))
					w.WriteHeader(http.StatusTooManyRequests)
				}
			},
			requests: 2, clock: 2 * time.Second,
		},
		{
			desc: "back-off without headers",
			answer: func(n int, w http.ResponseWriter) {
				if n <= 2 {
					w.WriteHeader(http.StatusTooManyRequests)
				}
			},
			opts:     fetch.ThrottleOptions{BackoffBase: 100 * time.Millisecond},
			requests: 3,
		},
		{
			desc: "429 forever: gives up after the retry limit",
			answer: func(n int, w http.ResponseWriter) {
				w.Header().Set("Retry-After", "1")
				w.WriteHeader(http.StatusTooManyRequests)
			},
			requests: 4, err: "after every retry", retries: 3, clock: 3 * time.Second,
		},
		{
			desc: "429 forever: a smaller retry limit",
			answer: func(n int, w http.ResponseWriter) {
				w.Header().Set("Retry-After", "1")
				w.WriteHeader(http.StatusTooManyRequests)
			},
			opts:     fetch.ThrottleOptions{MaxRetries: 1},
			requests: 2, err: "after every retry", retries: 1, clock: time.Second,
		},
		{
			desc: "no retries",
			answer: func(n int, w http.ResponseWriter) {
				w.Header().Set("Retry-After", "1")
				w.WriteHeader(http.StatusTooManyRequests)
			},
			opts:     fetch.ThrottleOptions{MaxRetries: -1},
			requests: 1, err: "after every retry",
		},
		{
			desc: "429 forever: gives up at the deadline",
			answer: func(n int, w http.ResponseWriter) {
				w.Header().Set("Retry-After", "1")
				w.WriteHeader(http.StatusTooManyRequests)
			},
			deadline: 2500 * time.Millisecond,
			requests: 3, err: "would pass the request's deadline", retries: 2, clock: 2 * time.Second,
		},
		{
			desc: "a wait longer than the deadline fails at once",
			answer: func(n int, w http.ResponseWriter) {
				w.Header().Set("Retry-After", "30")
				w.WriteHeader(http.StatusTooManyRequests)
			},
			deadline: 20 * time.Second,
			requests: 1, err: "would pass the request's deadline",
		},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			clk := enginetest.NewClock(start)
			var n atomic.Int64
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				body, _ := io.ReadAll(r.Body)
				if string(body) != "payload" {
					t.Errorf("request %d arrived with body %q", n.Load()+1, body)
				}
				tt.answer(int(n.Add(1)), w)
			}))
			defer srv.Close()
			opts := tt.opts
			opts.Clock = clk
			th := fetch.NewThrottle(opts)
			client := throttledClient(t, th)

			ctx := context.Background()
			if tt.deadline > 0 {
				ctx = fetch.WithDeadline(ctx, start.Add(tt.deadline))
			}
			req, _ := http.NewRequestWithContext(ctx, "POST", srv.URL, strings.NewReader("payload"))
			var resp *http.Response
			var err error
			clk.Drive(1, waitingOn(th), func(done func()) {
				defer done()
				resp, err = client.Do(req)
			})
			if tt.err == "" {
				if err != nil || resp.StatusCode != http.StatusOK {
					t.Fatalf("got %v %v, want success", resp, err)
				}
				resp.Body.Close()
			} else {
				var rl *fetch.RateLimitError
				if !errors.As(err, &rl) || !errors.Is(err, fetch.ErrRateLimited) || !strings.Contains(rl.Reason, tt.err) {
					t.Fatalf("err = %v, want a *RateLimitError: %s", err, tt.err)
				}
				if rl.Retries != tt.retries || rl.Status != http.StatusTooManyRequests || rl.Wait <= 0 {
					t.Errorf("error = %+v", rl)
				}
			}
			if got := int(n.Load()); got != tt.requests {
				t.Errorf("server got %d requests, want %d", got, tt.requests)
			}
			if tt.clock > 0 {
				if got := clk.Now().Sub(start); got != tt.clock {
					t.Errorf("took %v of clock time, want %v", got, tt.clock)
				}
			}
			if st := th.Stats(); tt.err != "" && (st.TooManyRequests != int64(tt.requests) || st.Refusals != 1) {
				t.Errorf("stats = %+v", st)
			}
		})
	}
}

func TestTransportBudgetPastDeadline(t *testing.T) {
	clk := enginetest.NewClock(start)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-RateLimit-Limit", "10")
		w.Header().Set("X-RateLimit-Remaining", "0")
		w.Header().Set("X-RateLimit-Reset", strconv.FormatInt(start.Unix()+60, 10))
	}))
	defer srv.Close()
	th := fetch.NewThrottle(fetch.ThrottleOptions{Clock: clk})
	client := throttledClient(t, th)
	resp, err := client.Get(srv.URL) // learns that nothing is left for a minute
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	req, _ := http.NewRequestWithContext(fetch.WithDeadline(context.Background(), start.Add(20*time.Second)), "GET", srv.URL, nil)
	_, err = client.Do(req)
	var rl *fetch.RateLimitError
	if !errors.As(err, &rl) || rl.Wait != time.Minute || rl.Status != 0 {
		t.Fatalf("err = %v, want a *RateLimitError needing a minute", err)
	}
	if clk.Now() != start {
		t.Error("the request waited instead of failing at once")
	}
}

func TestTransportStaticRate(t *testing.T) {
	clk := enginetest.NewClock(start)
	var times []time.Duration
	var mu sync.Mutex
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		times = append(times, clk.Now().Sub(start))
		mu.Unlock()
	}))
	defer srv.Close()
	th := fetch.NewThrottle(fetch.ThrottleOptions{Clock: clk, Rates: map[string]fetch.Rate{
		fetch.OriginOf("http", strings.TrimPrefix(srv.URL, "http://")): {PerSecond: 2, Burst: 1},
	}})
	client := throttledClient(t, th)
	clk.Drive(1, waitingOn(th), func(done func()) {
		defer done()
		for i := 0; i < 3; i++ {
			resp, err := client.Get(srv.URL)
			if err != nil {
				t.Error(err)
				return
			}
			resp.Body.Close()
		}
	})
	if fmt.Sprint(times) != "[0s 500ms 1s]" {
		t.Errorf("requests at %v, want every 500ms", times)
	}
}
