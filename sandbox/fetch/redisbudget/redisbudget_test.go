package redisbudget_test

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"

	"github.com/hookengine/hookengine/enginetest"
	"github.com/hookengine/hookengine/internal/testenv"
	"github.com/hookengine/hookengine/sandbox/fetch"
	"github.com/hookengine/hookengine/sandbox/fetch/redisbudget"
)

// open returns a Budget on the test Redis under a prefix of its own, whose
// keys are deleted when the test ends; every Budget of one test shares it.
func open(t *testing.T, prefix string) *redisbudget.Budget {
	t.Helper()
	b, rdb, err := redisbudget.Open(testenv.RedisURL(t), redisbudget.Options{Prefix: prefix})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx := context.Background()
		keys, _ := rdb.Keys(ctx, prefix+"*").Result()
		if len(keys) > 0 {
			rdb.Del(ctx, keys...)
		}
		rdb.Close()
	})
	return b
}

func client(t *testing.T, th *fetch.Throttle) *http.Client {
	tr := &http.Transport{}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: &fetch.Transport{Base: tr, Throttle: th}}
}

// hammer has workers call url through each client as fast as they can for
// d, and returns the statuses they got.
func hammer(clients []*http.Client, workers int, url string, d time.Duration) (ok, tooMany, failed int64) {
	var okN, tooManyN, failedN atomic.Int64
	end := time.Now().Add(d)
	var wg sync.WaitGroup
	for _, c := range clients {
		for range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for time.Now().Before(end) {
					ctx, cancel := context.WithDeadline(context.Background(), end.Add(2*time.Second))
					req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
					resp, err := c.Do(req)
					cancel()
					switch {
					case err != nil:
						failedN.Add(1)
					case resp.StatusCode == http.StatusTooManyRequests:
						tooManyN.Add(1)
					default:
						okN.Add(1)
					}
					if err == nil {
						io.Copy(io.Discard, resp.Body)
						resp.Body.Close()
					}
				}
			}()
		}
	}
	wg.Wait()
	return okN.Load(), tooManyN.Load(), failedN.Load()
}

// TestSharedBudgetAcrossProcesses has three Throttles, as three processes
// would have, share one Redis budget against a server allowing 10 requests
// a second: after the first second, no request goes past the limit, while
// each Throttle alone would spend the whole budget.
func TestSharedBudgetAcrossProcesses(t *testing.T) {
	prefix := testenv.Name("hookengine_test") + ":"
	srv := enginetest.NewWindowServerAt(t, time.Now, 10)
	var clients []*http.Client
	for range 3 {
		th := fetch.NewThrottle(fetch.ThrottleOptions{Shared: open(t, prefix)})
		clients = append(clients, client(t, th))
	}
	ok, tooMany, failed := hammer(clients, 4, srv.URL, 2*time.Second)
	total, over := srv.Requests()
	t.Logf("%d requests: %d ok, %d answered 429 to the callers, %d failed; %d past the limit, %d after the first window",
		total, ok, tooMany, failed, over, srv.OverLimitAfterFirstWindow())
	if n := srv.OverLimitAfterFirstWindow(); n != 0 {
		t.Errorf("%d requests past the limit after the first window, want 0", n)
	}
	if tooMany != 0 || failed != 0 {
		t.Errorf("callers got %d 429s and %d failures, want none", tooMany, failed)
	}
	if ok < 10 {
		t.Errorf("only %d requests succeeded in 2 s at 10 a second", ok)
	}
}

// proxy forwards TCP connections to target until it is turned off, which
// cuts every connection and refuses new ones, like a Redis that went away.
type proxy struct {
	ln     net.Listener
	target string
	mu     sync.Mutex
	up     bool
	conns  []net.Conn
	wg     sync.WaitGroup
}

func newProxy(t *testing.T, target string) *proxy {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &proxy{ln: ln, target: target, up: true}
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			p.mu.Lock()
			if !p.up {
				p.mu.Unlock()
				c.Close()
				continue
			}
			u, err := net.Dial("tcp", target)
			if err != nil {
				p.mu.Unlock()
				c.Close()
				continue
			}
			p.conns = append(p.conns, c, u)
			p.mu.Unlock()
			p.wg.Add(2)
			go func() { defer p.wg.Done(); io.Copy(u, c); u.Close() }()
			go func() { defer p.wg.Done(); io.Copy(c, u); c.Close() }()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		p.set(false)
		p.wg.Wait()
	})
	return p
}

func (p *proxy) set(up bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.up = up
	if !up {
		for _, c := range p.conns {
			c.Close()
		}
		p.conns = nil
	}
}

// TestFallbackAndRecovery cuts Redis off: the Throttle goes on alone with
// a share of the budget, logs it once, and uses Redis again once it is
// back, logging that too.
func TestFallbackAndRecovery(t *testing.T) {
	ru := testenv.RedisURL(t)
	opts, err := redis.ParseURL(ru)
	if err != nil {
		t.Fatal(err)
	}
	px := newProxy(t, opts.Addr)
	prefix := testenv.Name("hookengine_test") + ":"
	open(t, prefix) // deletes the keys at cleanup
	opts.Addr = px.ln.Addr().String()
	opts.DialTimeout, opts.ReadTimeout, opts.MaxRetries = 200*time.Millisecond, 300*time.Millisecond, -1
	rdb := redis.NewClient(opts)
	defer rdb.Close()
	core, logs := observer.New(zap.InfoLevel)
	th := fetch.NewThrottle(fetch.ThrottleOptions{Shared: redisbudget.New(rdb, redisbudget.Options{Prefix: prefix}), SharedLogger: zap.New(core)})
	srv := enginetest.NewWindowServerAt(t, time.Now, 30)
	c := client(t, th)

	steps := []struct {
		desc     string
		up       bool
		d        time.Duration
		wantLogs int
	}{
		{"redis up", true, 500 * time.Millisecond, 0},
		{"redis down", false, 500 * time.Millisecond, 1},
		{"still down", false, 500 * time.Millisecond, 1},
		// The Throttle tries Redis again a second after its last failure.
		{"back", true, 1500 * time.Millisecond, 2},
	}
	for _, st := range steps {
		px.set(st.up)
		if !st.up {
			time.Sleep(50 * time.Millisecond) // let the pool notice
		}
		ok, tooMany, failed := hammer([]*http.Client{c}, 2, srv.URL, st.d)
		if ok == 0 || tooMany != 0 || failed != 0 {
			t.Errorf("%s: %d ok, %d 429s, %d failures; want requests to go on", st.desc, ok, tooMany, failed)
		}
		if n := logs.Len(); n != st.wantLogs {
			t.Errorf("%s: %d log lines %v, want %d", st.desc, n, logs.All(), st.wantLogs)
		}
	}
	if srv.OverLimitAfterFirstWindow() != 0 {
		t.Errorf("%d requests past the limit", srv.OverLimitAfterFirstWindow())
	}
}

// TestStaticRateWithShared keeps an origin's static rate (Rates) with a
// shared budget too: an origin sending no rate-limit headers gets no more
// than its rate from this process.
func TestStaticRateWithShared(t *testing.T) {
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { n.Add(1) }))
	defer srv.Close()
	origin := fetch.OriginOf("http", strings.TrimPrefix(srv.URL, "http://"))
	th := fetch.NewThrottle(fetch.ThrottleOptions{Shared: open(t, testenv.Name("hookengine_test")+":"),
		Rates: map[string]fetch.Rate{origin: {PerSecond: 5, Burst: 1}}})
	start := time.Now()
	ok, tooMany, failed := hammer([]*http.Client{client(t, th)}, 4, srv.URL, time.Second)
	elapsed := time.Since(start)
	if limit := 2 + int64(5*elapsed.Seconds()); n.Load() > limit || ok == 0 || tooMany != 0 || failed != 0 {
		t.Errorf("%d requests in %v at 5 a second (at most %d); %d ok, %d 429s, %d failed", n.Load(), elapsed, limit, ok, tooMany, failed)
	}
}
