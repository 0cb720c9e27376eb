package fetch_test

import (
	"context"
	"errors"
	"github.com/hookengine/hookengine/internal/testenv"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/hookengine/hookengine/sandbox/fetch"
)

func get(t *testing.T, c *fetch.Client, u string) (*fetch.Response, error) {
	t.Helper()
	req, err := http.NewRequest("GET", u, nil)
	if err != nil {
		t.Fatal(err)
	}
	return c.Do(context.Background(), req)
}

func newClient(t *testing.T, opts fetch.Options) *fetch.Client {
	t.Helper()
	c, err := fetch.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.CloseIdleConnections)
	return c
}

func TestClientGuard(t *testing.T) {
	final := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "internal") }))
	defer final.Close()
	_, port, _ := net.SplitHostPort(strings.TrimPrefix(final.URL, "http://"))
	// jump lives on the loopback interface too; it is reached by name and
	// redirects to final by address.
	jump := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, final.URL+"/after-redirect", http.StatusFound)
	}))
	defer jump.Close()
	jumpURL := strings.Replace(jump.URL, "127.0.0.1", "localhost", 1)

	tests := []struct {
		desc  string
		allow []string
		url   string
		ok    bool
	}{
		{"loopback address refused", nil, final.URL, false},
		{"loopback address allowed", []string{"127.0.0.1"}, final.URL, true},
		{"loopback network allowed", []string{"127.0.0.0/8"}, final.URL, true},
		{"name resolving to loopback refused", nil, "http://localhost:" + port, false},
		{"name resolving to loopback allowed by name", []string{"localhost"}, "http://localhost:" + port, true},
		{"redirect to a refused address", []string{"localhost"}, jumpURL, false},
		{"redirect to an allowed address", []string{"localhost", "127.0.0.1"}, jumpURL, true},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			c := newClient(t, fetch.Options{Allow: tt.allow})
			resp, err := get(t, c, tt.url)
			if tt.ok {
				if err != nil || string(resp.Body) != "internal" {
					t.Fatalf("got %v, %v", resp, err)
				}
				return
			}
			var be *fetch.BlockedError
			if !errors.As(err, &be) || !strings.Contains(be.Reason, "loopback") {
				t.Fatalf("err = %v, want a refusal of a loopback address", err)
			}
			if strings.Contains(err.Error(), "after-redirect") {
				t.Errorf("refusal quotes the URL: %v", err)
			}
			if c.Stats().Blocked != 1 {
				t.Errorf("Blocked = %d", c.Stats().Blocked)
			}
		})
	}
}

func TestClientRedirectRules(t *testing.T) {
	var loop *httptest.Server
	loop = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, loop.URL+"/again", http.StatusFound)
	}))
	defer loop.Close()
	plain := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "plain") }))
	defer plain.Close()
	secure := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, plain.URL, http.StatusMovedPermanently)
	}))
	defer secure.Close()
	tlsConfig := secure.Client().Transport.(*http.Transport).TLSClientConfig

	c := newClient(t, fetch.Options{Allow: []string{"127.0.0.1"}, TLSClientConfig: tlsConfig})
	if _, err := get(t, c, loop.URL); !errors.Is(err, fetch.ErrTooManyRedirects) {
		t.Errorf("redirect loop: err = %v", err)
	}
	if _, err := get(t, c, secure.URL); !errors.Is(err, fetch.ErrDowngrade) {
		t.Errorf("https to http: err = %v", err)
	}
	req, _ := http.NewRequest("GET", "ftp://example.com/file", nil)
	if _, err := c.Do(context.Background(), req); !errors.Is(err, fetch.ErrUnsupportedScheme) {
		t.Errorf("ftp: err = %v", err)
	}
}

func TestClientBodyLimit(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, strings.Repeat("x", len(r.URL.Query().Get("n"))))
	}))
	defer srv.Close()
	c := newClient(t, fetch.Options{Allow: []string{"127.0.0.1"}, MaxBodyBytes: 4})
	if resp, err := get(t, c, srv.URL+"?n=1234"); err != nil || len(resp.Body) != 4 {
		t.Errorf("4 bytes: %v %v", resp, err)
	}
	if _, err := get(t, c, srv.URL+"?n=12345"); !errors.Is(err, fetch.ErrBodyTooLarge) {
		t.Errorf("5 bytes: err = %v", err)
	}
}

func TestOriginOf(t *testing.T) {
	for _, tt := range []struct{ u, want string }{
		{"https://API.example.com/x", "https://api.example.com"},
		{"https://api.example.com:443/x", "https://api.example.com"},
		{"http://api.example.com:80", "http://api.example.com"},
		{"http://api.example.com:8080", "http://api.example.com:8080"},
		{"https://[::1]:443/", "https://[::1]"},
	} {
		u, _ := url.Parse(tt.u)
		if got := fetch.OriginOf(u.Scheme, u.Host); got != tt.want {
			t.Errorf("OriginOf(%s) = %s, want %s", tt.u, got, tt.want)
		}
	}
}

// roundTripFunc answers requests in memory.
type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// Options.Transport answers in place of the network: a loopback address the
// Guard would refuse is answered, and the response's rate-limit headers
// reach the Throttle.
func TestClientTransport(t *testing.T) {
	var calls int
	c := newClient(t, fetch.Options{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		calls++
		h := http.Header{}
		h.Set("RateLimit", "limit=10, remaining=9, reset=60")
		return &http.Response{StatusCode: 201, Header: h, Body: io.NopCloser(strings.NewReader(r.URL.Path)), Request: r}, nil
	})})
	for _, u := range []string{"http://127.0.0.1/local", "https://api.example.com/stubbed"} {
		res, err := get(t, c, u)
		if err != nil {
			t.Fatalf("%s: %v", u, err)
		}
		if want := u[strings.LastIndex(u, "/"):]; res.Status != 201 || string(res.Body) != want {
			t.Errorf("%s: status %d body %q, want 201 %q", u, res.Status, res.Body, want)
		}
	}
	if st := c.Stats(); calls != 2 || st.Requests != 2 || st.Blocked != 0 {
		t.Errorf("transport called %d times, stats %+v", calls, st)
	}
}

// TestClientNetworkErrors: failures of a real network read as Node's
// errors, naming the remote end and nothing of this machine.
func TestClientNetworkErrors(t *testing.T) {
	closed := testenv.ClosedAddr(t)
	hangup := testenv.HangupServer(t)
	c := newClient(t, fetch.Options{Allow: []string{"127.0.0.1"}})
	tests := []struct {
		url   string
		codes []string
		msg   string
	}{
		{"http://" + closed + "/", []string{"ECONNREFUSED"}, "connect ECONNREFUSED " + closed},
		{hangup.URL, []string{"ECONNRESET"}, "socket hang up"},
		// The answer depends on the machine's resolver; either way it is
		// Node's, without the resolver's address.
		{"http://no-such-host.invalid/", []string{"ENOTFOUND", "EAI_AGAIN"}, ""},
	}
	for _, tt := range tests {
		_, err := get(t, c, tt.url)
		var se *fetch.SystemError
		if !errors.As(err, &se) || !errors.Is(err, fetch.ErrNetwork) {
			t.Errorf("%s: err = %v, want a *SystemError", tt.url, err)
			continue
		}
		if !slices.Contains(tt.codes, se.Code) || tt.msg != "" && err.Error() != tt.msg {
			t.Errorf("%s: %s %q, want %v %q", tt.url, se.Code, err.Error(), tt.codes, tt.msg)
		}
		if tt.msg == "" && err.Error() != "getaddrinfo "+se.Code+" no-such-host.invalid" {
			t.Errorf("%s: %q", tt.url, err.Error())
		}
	}
}
