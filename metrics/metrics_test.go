package metrics_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/hookengine/hookengine/engine"
	"github.com/hookengine/hookengine/enginetest"
	"github.com/hookengine/hookengine/metrics"
	"github.com/hookengine/hookengine/sandbox/fetch"
	"github.com/hookengine/hookengine/triggers"
)

func fixture(t *testing.T, parts ...string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(append([]string{"..", "testdata"}, parts...)...))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestCollector runs hooks that succeed, fail, hit a limit and fetch from
// a server that answers 429 once, and reads the metrics back as Prometheus
// would scrape them.
func TestCollector(t *testing.T) {
	var calls atomic.Int64
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) == 1 {
			w.Header().Set("Retry-After", "0")
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"tier":"gold"}`))
	}))
	defer api.Close()

	c := metrics.NewCollector()
	fo := engine.FetchOptions{}
	fo.Allow = []string{"127.0.0.1"}
	fo.Observer = c.ObserveFetch
	fo.BackoffBase = time.Millisecond
	e := enginetest.New(t, engine.WithObserver(c), engine.WithFetch(fo),
		engine.WithLimits(engine.Limits{WallTime: 300 * time.Millisecond}))
	c.SetEngine(e)
	reg := prometheus.NewPedanticRegistry()
	reg.MustRegister(c)

	ctx := context.Background()
	pur := fixture(t, "inputs", "pre-user-registration.json")
	cce := fixture(t, "inputs", "credentials-exchange.json")
	runs := []struct {
		h     engine.Hook
		input string
	}{
		{engine.Hook{ID: "01GBPZWEFDT9RFR6PN6939RZZA", Name: "claims", Trigger: triggers.CredentialsExchange, Script: fixture(t, "hooks", "credentials-exchange", "claims.js")}, cce},
		{engine.Hook{ID: "01GBPZWEFDT9RFR6PN6939RZZA", Name: "claims", Trigger: triggers.CredentialsExchange, Script: fixture(t, "hooks", "credentials-exchange", "claims.js")}, cce},
		{engine.Hook{ID: "01GBPZWEFDT9RFR6PN6939RZZB", Name: "plain-error", Trigger: triggers.CredentialsExchange, Script: fixture(t, "hooks", "credentials-exchange", "plain-error.js")}, cce},
		{engine.Hook{ID: "01GBPZWEFDT9RFR6PN6939RZZC", Name: "loop", Trigger: triggers.PreUserRegistration, Script: fixture(t, "hooks", "limits", "infinite-loop.js")}, pur},
		{engine.Hook{ID: "01GBPZWEFDT9RFR6PN6939RZZD", Name: "fetcher", Trigger: triggers.PreUserRegistration, Script: fixture(t, "hooks", "fetch", "get-json.js"),
			Secrets: map[string]string{"API": api.URL, "TOKEN": "t"}}, pur},
	}
	for _, r := range runs {
		e.Run(ctx, r.h, r.input)
	}

	tests := []struct {
		metric string
		labels map[string]string
		want   float64
	}{
		{"hookengine_runs_total", map[string]string{"trigger": "credentials-exchange", "hook": "claims", "outcome": "success"}, 2},
		{"hookengine_runs_total", map[string]string{"trigger": "credentials-exchange", "hook": "plain-error", "outcome": "error"}, 1},
		{"hookengine_runs_total", map[string]string{"trigger": "pre-user-registration", "hook": "loop", "outcome": "limit"}, 1},
		{"hookengine_runs_total", map[string]string{"trigger": "pre-user-registration", "hook": "fetcher", "outcome": "success"}, 1},
		{"hookengine_limit_hits_total", map[string]string{"limit": "wall_time"}, 1},
		{"hookengine_runs_by_runtime_total", map[string]string{"runtime": "warm"}, 1},
		{"hookengine_runs_by_runtime_total", map[string]string{"runtime": "cold"}, 4},
		{"hookengine_fetch_requests_total", map[string]string{"origin": fetch.OriginOf("http", strings.TrimPrefix(api.URL, "http://")), "code": "200"}, 1},
		{"hookengine_fetch_retries_total", nil, 1},
		{"hookengine_fetch_429_total", nil, 1},
		{"hookengine_compiles_total", nil, 4},
	}
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		got, found := 0.0, false
		for _, f := range families {
			if f.GetName() != tt.metric {
				continue
			}
			for _, m := range f.GetMetric() {
				match := true
				for _, l := range m.GetLabel() {
					if want, ok := tt.labels[l.GetName()]; ok && l.GetValue() != want {
						match = false
					}
				}
				if !match {
					continue
				}
				found = true
				switch {
				case m.Counter != nil:
					got += m.Counter.GetValue()
				case m.Gauge != nil:
					got += m.Gauge.GetValue()
				}
			}
		}
		if !found || got != tt.want {
			t.Errorf("%s%v = %v (found %v), want %v", tt.metric, tt.labels, got, found, tt.want)
		}
	}
	if n := testutil.CollectAndCount(c, "hookengine_run_duration_seconds"); n != 2 {
		t.Errorf("%d duration histograms, want one per trigger (2)", n)
	}
}
