package fetch

import (
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"net/http"
	"time"

	"go.opentelemetry.io/otel/trace"
	"go.uber.org/zap"

	"github.com/hookengine/hookengine/sandbox/clock"
)

// Defaults of Options.
const (
	DefaultMaxRedirects = 5
	DefaultMaxBodyBytes = 10 << 20
)

// Options configure a Client. Zero fields take the defaults shown.
type Options struct {
	ThrottleOptions
	// Allow lists host names and networks (CIDR or single IP) that
	// requests may reach although they are special-purpose addresses, such
	// as an internal API or a test server on 127.0.0.1. See Guard.
	Allow []string
	// MaxRedirects bounds the redirects followed. Default
	// DefaultMaxRedirects.
	MaxRedirects int
	// MaxBodyBytes bounds a response body. Default DefaultMaxBodyBytes.
	MaxBodyBytes int64
	// Logger receives a debug line per request; nil means none.
	Logger *zap.Logger
	// Observer is told about every request once it is over (see
	// Transport.Observer); nil means none.
	Observer func(FetchInfo)
	// TracerProvider, when set, records a span per request, a child of the
	// span in the request's context, and sends the W3C traceparent header
	// (see Transport.Tracer). Default nil: no spans, no header.
	TracerProvider trace.TracerProvider
	// TLSClientConfig configures TLS, for APIs behind a private CA; nil
	// means the system's roots.
	TLSClientConfig *tls.Config
	// Transport, when set, sends the requests in place of the network:
	// the Throttle still paces them and reads their responses' rate-limit
	// headers, but no connection is dialled, so the Guard does not apply.
	// It is meant for answering hooks' requests locally, in tests and
	// benchmarks (see hooks bench --stub); nil means the network.
	Transport http.RoundTripper
}

// Client sends the requests of hook scripts: only http and https, only to
// addresses the Guard allows (checked at every connection, redirects
// included), at most MaxRedirects redirects and never from https to http,
// bodies bounded, paced per origin by a Throttle.
//
// A Client is safe for concurrent use.
type Client struct {
	guard    *Guard
	throttle *Throttle
	http     *http.Client
	maxBody  int64
}

// New returns a Client configured by opts.
func New(opts Options) (*Client, error) {
	g, err := NewGuard(opts.Allow...)
	if err != nil {
		return nil, err
	}
	if opts.Clock == nil {
		opts.Clock = clock.System()
	}
	if opts.MaxRedirects <= 0 {
		opts.MaxRedirects = DefaultMaxRedirects
	}
	if opts.MaxBodyBytes <= 0 {
		opts.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if opts.SharedLogger == nil {
		opts.SharedLogger = opts.Logger
	}
	th := NewThrottle(opts.ThrottleOptions)
	base := &http.Transport{
		Proxy:                 nil, // never the host's proxy settings
		DialContext:           g.DialContext(&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}),
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          100,
		MaxIdleConnsPerHost:   16,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		ExpectContinueTimeout: time.Second,
		TLSClientConfig:       opts.TLSClientConfig,
	}
	c := &Client{guard: g, throttle: th, maxBody: opts.MaxBodyBytes}
	var tracer trace.Tracer
	if opts.TracerProvider != nil {
		tracer = opts.TracerProvider.Tracer(TracerName)
	}
	var send http.RoundTripper = base
	if opts.Transport != nil {
		send = opts.Transport
	}
	c.http = &http.Client{
		Transport: &Transport{Base: send, Throttle: th, Logger: opts.Logger, Observer: opts.Observer, Tracer: tracer},
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			switch {
			case len(via) > opts.MaxRedirects:
				return ErrTooManyRedirects
			case req.URL.Scheme != "http" && req.URL.Scheme != "https":
				return ErrUnsupportedScheme
			case req.URL.Scheme == "http" && via[len(via)-1].URL.Scheme == "https":
				return ErrDowngrade
			}
			return nil
		},
	}
	return c, nil
}

// Throttle returns the client's Throttle, to share its pacing with other
// transports (see Transport).
func (c *Client) Throttle() *Throttle { return c.throttle }

// Guard returns the client's Guard.
func (c *Client) Guard() *Guard { return c.guard }

// Stats returns the client's counters.
func (c *Client) Stats() Stats { return c.throttle.Stats() }

// CloseIdleConnections closes connections kept for reuse.
func (c *Client) CloseIdleConnections() { c.http.CloseIdleConnections() }

// Response is a response with its body read.
type Response struct {
	Status     int
	StatusText string
	// URL is the final URL, after redirects.
	URL        string
	Redirected bool
	Header     http.Header
	Body       []byte
}

// Do sends req and reads the whole response body, bounded by MaxBodyBytes.
// Errors wrap ErrBlocked, ErrRateLimited, ErrTooManyRedirects, ErrDowngrade,
// ErrUnsupportedScheme, ErrBodyTooLarge or the context's error; a network
// failure is a *SystemError (wrapping ErrNetwork) that names it as Node does.
func (c *Client) Do(ctx context.Context, req *http.Request) (*Response, error) {
	if req.URL.Scheme != "http" && req.URL.Scheme != "https" {
		return nil, ErrUnsupportedScheme
	}
	resp, err := c.http.Do(req.WithContext(ctx))
	if err != nil {
		if errors.Is(err, ErrBlocked) {
			c.throttle.blocked.Add(1)
		}
		return nil, unwrapURLError(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, c.maxBody+1))
	if err != nil {
		if se := systemError(err); se != nil && ctx.Err() == nil {
			return nil, se
		}
		return nil, err
	}
	if int64(len(body)) > c.maxBody {
		return nil, ErrBodyTooLarge
	}
	return &Response{
		Status:     resp.StatusCode,
		StatusText: http.StatusText(resp.StatusCode),
		URL:        resp.Request.URL.String(),
		Redirected: resp.Request.URL.String() != req.URL.String(),
		Header:     resp.Header,
		Body:       body,
	}, nil
}

// unwrapURLError drops the *url.Error wrapper (which quotes the URL) from
// errors of our own.
func unwrapURLError(err error) error {
	for _, target := range []error{ErrBlocked, ErrRateLimited, ErrTooManyRedirects, ErrDowngrade, ErrUnsupportedScheme} {
		if errors.Is(err, target) {
			var be *BlockedError
			var re *RateLimitError
			switch {
			case errors.As(err, &be):
				return be
			case errors.As(err, &re):
				return re
			}
			return target
		}
	}
	if se := systemError(err); se != nil && !errors.Is(err, context.Canceled) && !errors.Is(err, context.DeadlineExceeded) {
		return se
	}
	return err
}
