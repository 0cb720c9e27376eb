package fetch

import (
	"net/http"
	"testing"
	"time"
)

var now = time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)

func TestParseLimits(t *testing.T) {
	tests := []struct {
		desc    string
		headers map[string]string
		want    Limits
	}{
		{"none", nil, Limits{Limit: -1, Remaining: -1}},
		{"auth0 epoch reset", map[string]string{"X-RateLimit-Limit": "10", "X-RateLimit-Remaining": "9", "X-RateLimit-Reset": "1764158460"},
			Limits{Limit: 10, Remaining: 9, Reset: time.Unix(1764158460, 0)}},
		{"lower-case names", map[string]string{"x-ratelimit-limit": "50", "x-ratelimit-remaining": "0", "x-ratelimit-reset": "1764158401"},
			Limits{Limit: 50, Remaining: 0, Reset: time.Unix(1764158401, 0)}},
		{"reset as seconds to wait", map[string]string{"X-RateLimit-Remaining": "3", "X-RateLimit-Reset": "30"},
			Limits{Limit: -1, Remaining: 3, Reset: now.Add(30 * time.Second)}},
		{"fractional reset", map[string]string{"X-RateLimit-Remaining": "3", "X-RateLimit-Reset": "1.5"},
			Limits{Limit: -1, Remaining: 3, Reset: now.Add(1500 * time.Millisecond)}},
		{"bad remaining", map[string]string{"X-RateLimit-Remaining": "lots"}, Limits{Limit: -1, Remaining: -1}},
		{"negative remaining", map[string]string{"X-RateLimit-Remaining": "-1"}, Limits{Limit: -1, Remaining: -1}},
		{"bad reset ignored", map[string]string{"X-RateLimit-Remaining": "2", "X-RateLimit-Reset": "soon"},
			Limits{Limit: -1, Remaining: 2}},
		{"IETF separate fields", map[string]string{"RateLimit-Limit": "100", "RateLimit-Remaining": "50", "RateLimit-Reset": "20"},
			Limits{Limit: 100, Remaining: 50, Reset: now.Add(20 * time.Second)}},
		{"IETF dictionary", map[string]string{"RateLimit": "limit=10, remaining=4, reset=7"},
			Limits{Limit: 10, Remaining: 4, Reset: now.Add(7 * time.Second)}},
		{"IETF policies, most restrictive wins", map[string]string{
			"RateLimit":        `"burst";r=40;t=1, "daily";r=3;t=3600`,
			"RateLimit-Policy": `"burst";q=100;w=1, "daily";q=1000;w=86400`},
			Limits{Limit: 1000, Remaining: 3, Reset: now.Add(time.Hour)}},
		{"IETF policy without quota", map[string]string{"RateLimit": `"default";r=5;t=2`},
			Limits{Limit: -1, Remaining: 5, Reset: now.Add(2 * time.Second)}},
		{"X- fields win over IETF", map[string]string{"X-RateLimit-Remaining": "1", "RateLimit-Remaining": "9"},
			Limits{Limit: -1, Remaining: 1}},
		{"absurd wait is capped", map[string]string{"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "999999999"},
			Limits{Limit: -1, Remaining: 0, Reset: now.Add(maxSeconds * time.Second)}},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			h := http.Header{}
			for k, v := range tt.headers {
				h.Set(k, v)
			}
			got := ParseLimits(h, now)
			if got.Limit != tt.want.Limit || got.Remaining != tt.want.Remaining || !got.Reset.Equal(tt.want.Reset) {
				t.Errorf("ParseLimits = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestParseRetryAfter(t *testing.T) {
	tests := []struct {
		in   string
		wait time.Duration
		ok   bool
	}{
		{"", 0, false},
		{"1", time.Second, true},
		{" 120 ", 2 * time.Minute, true},
		{"0", 0, true},
		{"-5", 0, false},
		{"1.5", 0, false},
		{"Thu, 26 Nov 2026 12:00:30 GMT", 30 * time.Second, true},
		{"Thu, 26 Nov 2026 11:00:00 GMT", 0, true},
		{"Wednesday, 26-Nov-26 12:01:00 GMT", time.Minute, true},
		{"tomorrow", 0, false},
		{"99999999999999", maxSeconds * time.Second, true},
	}
	for _, tt := range tests {
		wait, ok := ParseRetryAfter(tt.in, now)
		if wait != tt.wait || ok != tt.ok {
			t.Errorf("ParseRetryAfter(%q) = %v, %v; want %v, %v", tt.in, wait, ok, tt.wait, tt.ok)
		}
	}
}

func FuzzParseLimits(f *testing.F) {
	for _, seed := range [][4]string{
		{"9", "10", "1764158460", ""},
		{"0", "", "30", ""},
		{"", "", "", `"burst";r=40;t=1, "daily";r=3;t=3600`},
		{"", "", "", "limit=10, remaining=4, reset=7"},
		{"-1", "x", "1e400", `";;;=,,`},
	} {
		f.Add(seed[0], seed[1], seed[2], seed[3])
	}
	f.Fuzz(func(t *testing.T, remaining, limit, reset, structured string) {
		h := http.Header{}
		h.Set("X-RateLimit-Remaining", remaining)
		h.Set("X-RateLimit-Limit", limit)
		h.Set("X-RateLimit-Reset", reset)
		h.Set("RateLimit", structured)
		h.Set("RateLimit-Policy", structured)
		l := ParseLimits(h, now)
		if l.Remaining < -1 || l.Limit < -1 {
			t.Errorf("negative counts: %+v", l)
		}
		if !l.Reset.IsZero() && (l.Reset.Year() < 2001 || l.Reset.Year() > 6000) {
			t.Errorf("reset out of range: %v", l.Reset)
		}
	})
}

func FuzzParseRetryAfter(f *testing.F) {
	for _, seed := range []string{"1", "120", "Thu, 26 Nov 2026 12:00:30 GMT", "-1", "", "1e9", "Mon, 02 Jan 2006 15:04:05 MST"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, v string) {
		wait, ok := ParseRetryAfter(v, now)
		if wait < 0 || wait > maxSeconds*time.Second {
			t.Errorf("ParseRetryAfter(%q) = %v out of range", v, wait)
		}
		if !ok && wait != 0 {
			t.Errorf("ParseRetryAfter(%q) = %v with ok=false", v, wait)
		}
	})
}
