// Package fetch sends the HTTP requests of hook scripts: the Go half of the
// fetch function hooks see (package sandbox defines the JavaScript half).
// Hook scripts call APIs — Auth0's Management API, Slack, SendGrid, internal
// services — and this package makes those calls safe for the host and polite
// to the APIs.
//
// # Safety
//
// A Client sends only http and https requests, and only to public addresses:
// its Guard refuses loopback, private, link-local (cloud metadata endpoints
// included), carrier-grade NAT, multicast, unspecified, reserved and other
// special-purpose addresses, IPv4-mapped IPv6 forms included. The check is
// made on the address each connection actually dials, after DNS resolution,
// so a name resolving to 127.0.0.1 is refused and a redirect is checked like
// any request. Options.Allow lets chosen hosts and networks through. A Client
// follows at most Options.MaxRedirects redirects, never from https to http,
// and reads at most Options.MaxBodyBytes of a body. Every refusal is an error
// naming its reason.
//
// # Throttling
//
// A Throttle paces requests per origin (scheme, host and port) from what the
// origin's responses say about its rate limit: X-RateLimit-Limit,
// X-RateLimit-Remaining and X-RateLimit-Reset as Auth0 sends them, the IETF
// RateLimit fields, and Retry-After. Requests in flight are counted against
// the remaining budget; once it is used up, later requests wait for the reset
// instead of being sent. Before an origin's limits are known a small
// concurrency cap keeps the first burst small. Origins that send nothing can
// be given a static Rate.
//
// A request answered 429 Too Many Requests is retried after Retry-After, or
// after the reset time, or after an exponential back-off with full jitter when
// the response says neither; at most MaxRetries times, and never past the
// request's deadline (see WithDeadline): when a wait would cross it, the
// request fails at once with a *RateLimitError carrying the wait it would
// have needed.
//
// One Throttle serves every request of an engine, so all hooks and all runs
// share one budget per origin. Transport applies the same pacing to any
// http.Client, so the server embedding hookengine can give its own calls to
// the same APIs the same behaviour:
//
//	client := &http.Client{Transport: &fetch.Transport{Base: http.DefaultTransport, Throttle: e.Throttle()}}
//
// # Observability
//
// Each request is logged at debug level (origin, method, status, time spent
// queued, retries), never with header values or URLs beyond the origin.
// Stats counts requests, waits, retries, 429 answers and refusals.
//
// Every type in the package is safe for concurrent use.
package fetch
