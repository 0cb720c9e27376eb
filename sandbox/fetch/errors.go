package fetch

import (
	"errors"
	"fmt"
	"time"
)

// Errors a request can end with, for errors.Is.
var (
	// ErrBlocked reports a connection refused by the Guard; the error is a
	// *BlockedError naming the address and why.
	ErrBlocked = errors.New("fetch: address not allowed")
	// ErrRateLimited reports a request given up because of the origin's rate
	// limit; the error is a *RateLimitError.
	ErrRateLimited = errors.New("fetch: rate limited")
	// ErrTooManyRedirects reports a request redirected more times than
	// allowed.
	ErrTooManyRedirects = errors.New("fetch: too many redirects")
	// ErrDowngrade reports a redirect from https to http, which is refused.
	ErrDowngrade = errors.New("fetch: redirect from https to http refused")
	// ErrUnsupportedScheme reports a URL that is neither http nor https.
	ErrUnsupportedScheme = errors.New("fetch: only http and https URLs are supported")
	// ErrBodyTooLarge reports a response body over the size limit.
	ErrBodyTooLarge = errors.New("fetch: response body too large")
)

// BlockedError is a connection the Guard refused.
type BlockedError struct {
	// Addr is the address refused.
	Addr string
	// Reason says what kind of address it is, such as "loopback address".
	Reason string
}

func (e *BlockedError) Error() string {
	return fmt.Sprintf("refused to connect to %s: %s (allow it explicitly to reach it)", e.Addr, e.Reason)
}

// Unwrap returns ErrBlocked.
func (e *BlockedError) Unwrap() error { return ErrBlocked }

// RateLimitError is a request given up because of the rate limit of its
// origin: either waiting for the budget or for Retry-After would have gone
// past the request's deadline, or the origin kept answering 429 Too Many
// Requests after every retry.
type RateLimitError struct {
	// Origin is the scheme, host and port the request was for.
	Origin string
	// Wait is how long the request would have had to wait to go on.
	Wait time.Duration
	// Retries is how many times the request was retried after a 429.
	Retries int
	// Status is the last status received: 429, or 0 if the request was not
	// sent.
	Status int
	// Reason says which of the above happened.
	Reason string
}

func (e *RateLimitError) Error() string {
	return fmt.Sprintf("rate limited by %s: %s (it would have had to wait %v)", e.Origin, e.Reason, e.Wait.Round(time.Millisecond))
}

// Unwrap returns ErrRateLimited.
func (e *RateLimitError) Unwrap() error { return ErrRateLimited }
