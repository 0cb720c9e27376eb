package fetch

import (
	"errors"
	"io"
	"net/http"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"
	"go.uber.org/zap"
)

// Transport is an http.RoundTripper that paces requests with a Throttle and
// retries the ones answered 429 Too Many Requests: after Retry-After, else
// after the origin's reset time, else after an exponential back-off with full
// jitter; at most MaxRetries times and never past the request's deadline. A
// request that cannot be retried in time fails with a *RateLimitError. A
// request with a body is retried only if the body can be read again
// (http.Request.GetBody, which http.NewRequest sets for common bodies); else
// the 429 response is returned as it is.
//
// Use it to give a server's own outbound calls the behaviour hooks get from
// fetch, sharing the engine's Throttle. A Transport is safe for concurrent
// use.
type Transport struct {
	// Base sends the requests; nil means http.DefaultTransport.
	Base http.RoundTripper
	// Throttle paces them; it must not be nil.
	Throttle *Throttle
	// Logger receives one debug line per request (origin, method, status,
	// time queued, retries), never header values; nil means none.
	Logger *zap.Logger
	// Observer is told about every request once it is over, for metrics;
	// nil means none. It must be quick and safe for concurrent use.
	Observer func(FetchInfo)
	// Tracer, when set, records a client span per request (retries
	// included), a child of the span in the request's context, and sends
	// the span's W3C traceparent (and tracestate) headers with the
	// request. Default nil: no span, no header.
	Tracer trace.Tracer
}

// TracerName names the tracer of a Client's requests.
const TracerName = "github.com/hookengine/hookengine/sandbox/fetch"

// FetchInfo describes a request a Transport finished.
type FetchInfo struct {
	// Origin is the request's origin (see OriginOf).
	Origin string
	// Status is the final response's status; 0 when the request failed.
	Status int
	// Queued is the time the request waited for the Throttle.
	Queued time.Duration
	// Retries counts the times it was sent again after a 429.
	Retries int
	// TooManyRequests counts the 429 responses it got.
	TooManyRequests int
	// Refused reports a request given up with a *RateLimitError.
	Refused bool
}

// RoundTrip implements http.RoundTripper.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	base := t.Base
	if base == nil {
		base = http.DefaultTransport
	}
	th := t.Throttle
	name := OriginOf(req.URL.Scheme, req.URL.Host)
	if t.Tracer != nil {
		ctx, span := t.Tracer.Start(req.Context(), "fetch "+req.Method, trace.WithSpanKind(trace.SpanKindClient),
			trace.WithAttributes(attribute.String("http.request.method", req.Method), attribute.String("hookengine.fetch.origin", name)))
		defer span.End()
		// A copy carries the headers: RoundTrip must not change req.
		req = req.Clone(ctx)
		propagation.TraceContext{}.Inject(ctx, propagation.HeaderCarrier(req.Header))
		resp, err := t.roundTrip(req, base, th, name)
		if err != nil {
			span.SetStatus(codes.Error, errorKind(err))
		} else {
			span.SetAttributes(attribute.Int("http.response.status_code", resp.StatusCode))
		}
		return resp, err
	}
	return t.roundTrip(req, base, th, name)
}

// roundTrip is RoundTrip once the span, if any, is started.
func (t *Transport) roundTrip(req *http.Request, base http.RoundTripper, th *Throttle, name string) (*http.Response, error) {
	var queued time.Duration
	for attempt := 0; ; attempt++ {
		release, waited, err := th.acquire(req.Context(), name)
		queued += waited
		if err != nil {
			t.log(req, name, 0, queued, attempt, err)
			return nil, err
		}
		send := req
		if attempt > 0 {
			send = req.Clone(req.Context())
			if req.GetBody != nil {
				if send.Body, err = req.GetBody(); err != nil {
					release(nil)
					return nil, err
				}
			}
		}
		resp, err := base.RoundTrip(send)
		release(resp)
		if err != nil {
			t.log(req, name, 0, queued, attempt, err)
			return nil, err
		}
		if resp.StatusCode != http.StatusTooManyRequests {
			t.log(req, name, resp.StatusCode, queued, attempt, nil)
			return resp, nil
		}
		th.tooMany.Add(1)
		wait := th.backoff(name, resp, attempt)
		if req.Body != nil && req.Body != http.NoBody && req.GetBody == nil {
			// The body is gone: the caller gets the 429 itself.
			t.log(req, name, resp.StatusCode, queued, attempt, nil)
			return resp, nil
		}
		var reason string
		deadline, hasDeadline := DeadlineFrom(req.Context())
		switch {
		case attempt >= th.opts.MaxRetries:
			reason = "the origin still answered 429 Too Many Requests after every retry"
		case hasDeadline && th.clock.Now().Add(wait).After(deadline):
			reason = "retrying after the origin's 429 would pass the request's deadline"
		}
		if reason != "" {
			drain(resp)
			th.refusals.Add(1)
			err := &RateLimitError{Origin: name, Wait: wait, Retries: attempt, Status: resp.StatusCode, Reason: reason}
			t.log(req, name, resp.StatusCode, queued, attempt, err)
			return nil, err
		}
		drain(resp)
		th.retries.Add(1)
	}
}

// drain discards what is left of a response body so the connection can be
// reused.
func drain(resp *http.Response) {
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	_ = resp.Body.Close()
}

func (t *Transport) log(req *http.Request, origin string, status int, queued time.Duration, retries int, err error) {
	if t.Observer != nil {
		var re *RateLimitError
		tooMany := retries
		if status == http.StatusTooManyRequests || errors.As(err, &re) && re.Status == http.StatusTooManyRequests {
			tooMany++
		}
		t.Observer(FetchInfo{Origin: origin, Status: status, Queued: queued, Retries: retries, TooManyRequests: tooMany,
			Refused: errors.As(err, &re)})
	}
	if t.Logger == nil {
		return
	}
	ce := t.Logger.Check(zap.DebugLevel, "fetch")
	if ce == nil {
		return
	}
	fields := []zap.Field{
		zap.String("origin", origin), zap.String("method", req.Method), zap.Int("status", status),
		zap.Duration("queued", queued), zap.Int("retries", retries),
	}
	if err != nil {
		fields = append(fields, zap.String("error", errorKind(err)))
	}
	ce.Write(fields...)
}

// errorKind names an error for logs without quoting URLs, which may carry
// credentials in their query.
func errorKind(err error) string {
	switch e := err.(type) {
	case *RateLimitError:
		return e.Reason
	case *BlockedError:
		return e.Error()
	}
	return "request failed"
}
