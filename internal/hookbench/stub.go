package hookbench

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// ErrStub reports a stub file or URL that cannot be used.
var ErrStub = errors.New("hookbench: bad stub")

// maxStubDelay bounds a stub response's delay.
const maxStubDelay = time.Minute

// Stub answers the fetch requests of hooks whose URL starts with URL, so that
// a benchmark never calls the real API. Its responses are answered in turn,
// the last one followed by the first again. A Stub is immutable: safe for
// concurrent use.
type Stub struct {
	// URL is the prefix of the URLs answered, such as
	// "https://api.example.com/" or "https://api.example.com/risk".
	URL string
	// Responses are the answers, at least one.
	Responses []StubResponse
}

// StubResponse is one answer of a Stub.
type StubResponse struct {
	// Status is the HTTP status (default 200).
	Status int
	// Header holds the response's headers, rate-limit headers included
	// (X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Reset,
	// RateLimit, RateLimit-Policy, Retry-After), which fetch's throttle
	// reads as it would from the real API.
	Header http.Header
	// Body is the response body.
	Body []byte
	// Delay is how long the answer takes, as the real API's latency would.
	Delay time.Duration
}

// stubFile is a response as a stub file writes it.
type stubFile struct {
	Status  *int              `json:"status"`
	Headers map[string]string `json:"headers"`
	Body    json.RawMessage   `json:"body"`
	Delay   string            `json:"delay"`
}

// ParseStub reads a stub for the URL prefix rawURL from a stub file: one
// JSON object, or an array of them answered in turn, each
//
//	{"status": 200, "headers": {"X-RateLimit-Remaining": "99", ...},
//	 "body": {...} or "text", "delay": "20ms"}
//
// where every field is optional: status defaults to 200, a body that is a
// JSON string is sent as that text, any other JSON value as JSON (with
// Content-Type application/json unless the headers give one), and delay is
// a Go duration up to a minute. Unknown fields are errors.
func ParseStub(rawURL string, file []byte) (*Stub, error) {
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("%w: %q is not an http or https URL", ErrStub, rawURL)
	}
	file = bytes.TrimSpace(file)
	var list []json.RawMessage
	if len(file) > 0 && file[0] == '[' {
		if err := json.Unmarshal(file, &list); err != nil {
			return nil, fmt.Errorf("%w: %v", ErrStub, err)
		}
		if len(list) == 0 {
			return nil, fmt.Errorf("%w: the array of responses is empty", ErrStub)
		}
	} else {
		list = []json.RawMessage{file}
	}
	s := &Stub{URL: rawURL}
	for i, raw := range list {
		r, err := parseStubResponse(raw)
		if err != nil {
			if len(list) > 1 {
				return nil, fmt.Errorf("%w: response %d: %v", ErrStub, i, err)
			}
			return nil, fmt.Errorf("%w: %v", ErrStub, err)
		}
		s.Responses = append(s.Responses, r)
	}
	return s, nil
}

func parseStubResponse(raw json.RawMessage) (StubResponse, error) {
	var f stubFile
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return StubResponse{}, fmt.Errorf("want a JSON object with status, headers, body and delay: %v", err)
	}
	if f.Status == nil && f.Headers == nil && f.Body == nil && f.Delay == "" {
		var probe any
		if json.Unmarshal(raw, &probe) != nil || probe == nil {
			return StubResponse{}, errors.New("want a JSON object with status, headers, body and delay")
		}
	}
	r := StubResponse{Status: http.StatusOK, Header: http.Header{}}
	if f.Status != nil {
		if *f.Status < 100 || *f.Status > 599 {
			return r, fmt.Errorf("status %d is not an HTTP status", *f.Status)
		}
		r.Status = *f.Status
	}
	for k, v := range f.Headers {
		if k == "" || strings.ContainsAny(k, " \t\r\n:") || strings.ContainsAny(v, "\r\n") {
			return r, fmt.Errorf("header %q is not a valid header", k)
		}
		r.Header.Add(k, v)
	}
	if len(f.Body) > 0 && string(f.Body) != "null" {
		var s string
		if json.Unmarshal(f.Body, &s) == nil {
			r.Body = []byte(s)
		} else {
			r.Body = []byte(f.Body)
			if r.Header.Get("Content-Type") == "" {
				r.Header.Set("Content-Type", "application/json")
			}
		}
	}
	if f.Delay != "" {
		d, err := time.ParseDuration(f.Delay)
		if err != nil || d < 0 || d > maxStubDelay {
			return r, fmt.Errorf("delay %q is not a duration between 0 and %v", f.Delay, maxStubDelay)
		}
		r.Delay = d
	}
	return r, nil
}

// stubStats are a stub transport's counters.
type stubStats struct {
	answerWait time.Duration
	unstubbed  int64
}

// stubTransport answers requests from stubs, the longest matching URL
// prefix first. It is safe for concurrent use.
type stubTransport struct {
	stubs     []*Stub
	next      []atomic.Uint64
	waitNanos atomic.Int64
	unstubbed atomic.Int64
}

func newStubTransport(stubs []*Stub) *stubTransport {
	return &stubTransport{stubs: stubs, next: make([]atomic.Uint64, len(stubs))}
}

// stats returns the counters; zero for a nil transport.
func (t *stubTransport) stats() stubStats {
	if t == nil {
		return stubStats{}
	}
	return stubStats{answerWait: time.Duration(t.waitNanos.Load()), unstubbed: t.unstubbed.Load()}
}

// RoundTrip implements http.RoundTripper.
func (t *stubTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body != nil {
		_, _ = io.Copy(io.Discard, req.Body)
		_ = req.Body.Close()
	}
	u := req.URL.String()
	best := -1
	for i, s := range t.stubs {
		if strings.HasPrefix(u, s.URL) && (best < 0 || len(s.URL) > len(t.stubs[best].URL)) {
			best = i
		}
	}
	if best < 0 {
		t.unstubbed.Add(1)
		return nil, fmt.Errorf("hookbench: no --stub answers %s %s", req.Method, redactQuery(req.URL))
	}
	s := t.stubs[best]
	r := s.Responses[(t.next[best].Add(1)-1)%uint64(len(s.Responses))]
	if r.Delay > 0 {
		start := time.Now()
		err := sleep(req.Context(), r.Delay)
		t.waitNanos.Add(int64(time.Since(start)))
		if err != nil {
			return nil, err
		}
	}
	h := r.Header.Clone()
	h.Set("Content-Length", strconv.Itoa(len(r.Body)))
	return &http.Response{
		Status:        strconv.Itoa(r.Status) + " " + http.StatusText(r.Status),
		StatusCode:    r.Status,
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        h,
		Body:          io.NopCloser(bytes.NewReader(r.Body)),
		ContentLength: int64(len(r.Body)),
		Request:       req,
	}, nil
}

// redactQuery drops a URL's query and user info, which may carry
// credentials.
func redactQuery(u *url.URL) string {
	c := *u
	c.RawQuery, c.User, c.Fragment = "", nil, ""
	return c.String()
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
