package fetch

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Limits is what one response says about the rate limit of its origin.
// Fields the response does not give are -1 (counts) or zero (Reset).
type Limits struct {
	// Limit is the size of the budget: requests per window, or the bucket
	// size of a token bucket.
	Limit int
	// Remaining is how many requests the budget still allows.
	Remaining int
	// Reset is when the budget is refilled (or, for a token bucket, when
	// more requests are added).
	Reset time.Time
}

// Known reports whether the response gave a remaining budget.
func (l Limits) Known() bool { return l.Remaining >= 0 }

// epochThreshold separates the two meanings of a reset value: Unix seconds
// (as Auth0, GitHub and most APIs send) from seconds to wait (as some others
// do). No real Unix time is below it; no real wait is above it.
const epochThreshold = 1_000_000_000

// ParseLimits reads the rate-limit fields of a response received at now:
// X-RateLimit-Limit, X-RateLimit-Remaining and X-RateLimit-Reset (Unix
// seconds, or seconds to wait if the value is too small to be a date); the
// IETF fields RateLimit-Limit, RateLimit-Remaining and RateLimit-Reset
// (seconds to wait); and the structured RateLimit and RateLimit-Policy fields
// of the IETF draft, in both their "limit=, remaining=, reset=" and their
// `"policy";r=;t=` forms, taking the most restrictive policy. Values that do
// not parse are ignored.
func ParseLimits(h http.Header, now time.Time) Limits {
	l := Limits{Limit: -1, Remaining: -1}
	if v := h.Get("X-RateLimit-Remaining"); v != "" {
		l.Remaining = parseCount(v)
		l.Limit = parseCount(h.Get("X-RateLimit-Limit"))
		if secs, ok := parseSeconds(h.Get("X-RateLimit-Reset")); ok {
			l.Reset = resetTime(secs, now)
		}
		if l.Known() {
			return l
		}
	}
	if v := h.Get("RateLimit-Remaining"); v != "" {
		l.Remaining = parseCount(v)
		l.Limit = parseCount(h.Get("RateLimit-Limit"))
		if secs, ok := parseSeconds(h.Get("RateLimit-Reset")); ok {
			l.Reset = now.Add(time.Duration(secs * float64(time.Second)))
		}
		if l.Known() {
			return l
		}
	}
	if v := h.Get("RateLimit"); v != "" {
		return parseRateLimitField(v, h.Get("RateLimit-Policy"), now)
	}
	return l
}

// parseRateLimitField reads the structured RateLimit field, in either form.
func parseRateLimitField(v, policy string, now time.Time) Limits {
	l := Limits{Limit: -1, Remaining: -1}
	if strings.Contains(v, "remaining=") {
		// Older draft: a dictionary "limit=10, remaining=5, reset=3".
		for _, item := range strings.Split(v, ",") {
			k, val, _ := strings.Cut(strings.TrimSpace(item), "=")
			switch strings.TrimSpace(k) {
			case "limit":
				l.Limit = parseCount(val)
			case "remaining":
				l.Remaining = parseCount(val)
			case "reset":
				if secs, ok := parseSeconds(val); ok {
					l.Reset = now.Add(time.Duration(secs * float64(time.Second)))
				}
			}
		}
		return l
	}
	// Newer draft: a list of policies, `"name";r=remaining;t=seconds`, with
	// quotas in RateLimit-Policy, `"name";q=quota;w=window`.
	quotas := map[string]int{}
	for _, item := range strings.Split(policy, ",") {
		name, params := parseItem(item)
		if q, ok := params["q"]; ok {
			quotas[name] = parseCount(q)
		}
	}
	for _, item := range strings.Split(v, ",") {
		name, params := parseItem(item)
		r, ok := params["r"]
		if !ok {
			continue
		}
		remaining := parseCount(r)
		if remaining < 0 || (l.Known() && remaining >= l.Remaining) {
			continue
		}
		l.Remaining, l.Limit, l.Reset = remaining, -1, time.Time{}
		if q, ok := quotas[name]; ok {
			l.Limit = q
		}
		if t, ok := params["t"]; ok {
			if secs, ok := parseSeconds(t); ok {
				l.Reset = now.Add(time.Duration(secs * float64(time.Second)))
			}
		}
	}
	return l
}

// parseItem splits a structured-field list member `"name";k=v;k=v`.
func parseItem(item string) (name string, params map[string]string) {
	parts := strings.Split(strings.TrimSpace(item), ";")
	name = strings.Trim(strings.TrimSpace(parts[0]), `"`)
	params = make(map[string]string, len(parts)-1)
	for _, p := range parts[1:] {
		k, v, _ := strings.Cut(strings.TrimSpace(p), "=")
		params[strings.TrimSpace(k)] = strings.Trim(strings.TrimSpace(v), `"`)
	}
	return name, params
}

// parseCount reads a non-negative integer, or returns -1.
func parseCount(s string) int {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil || n < 0 {
		return -1
	}
	return n
}

// maxSeconds bounds every parsed wait: a header cannot ask for more.
const maxSeconds = 365 * 24 * 3600

// parseSeconds reads a non-negative number of seconds, fractions allowed.
func parseSeconds(s string) (float64, bool) {
	f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || !(f >= 0) || f > epochThreshold*100 {
		return 0, false
	}
	return f, true
}

func resetTime(secs float64, now time.Time) time.Time {
	if secs >= epochThreshold {
		return time.Unix(int64(secs), 0)
	}
	return now.Add(time.Duration(min(secs, maxSeconds) * float64(time.Second)))
}

// ParseRetryAfter reads a Retry-After value, either seconds to wait or an
// HTTP date, as a wait from now. ok is false when the value is missing or
// does not parse; a date in the past gives zero.
func ParseRetryAfter(v string, now time.Time) (wait time.Duration, ok bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		if n < 0 {
			return 0, false
		}
		return time.Duration(min(n, maxSeconds)) * time.Second, true
	}
	t, err := http.ParseTime(v)
	if err != nil {
		return 0, false
	}
	return min(max(t.Sub(now), 0), maxSeconds*time.Second), true
}
