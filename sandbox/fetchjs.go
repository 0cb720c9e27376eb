package sandbox

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/dop251/goja"

	"github.com/hookengine/hookengine/sandbox/fetch"
)

// Defaults of FetchConfig.
const (
	DefaultMaxFetches           = 50
	DefaultMaxConcurrentFetches = 6
	// DefaultMaxRunBytes bounds the response bytes of one execution.
	DefaultMaxRunBytes int64 = 32 << 20
)

// FetchConfig gives scripts the global fetch, with Headers, Response,
// AbortController, AbortSignal, DOMException and the error classes
// RateLimitError and FetchLimitError.
type FetchConfig struct {
	// Client sends the requests; every runtime of a Config shares it, and
	// with it one Throttle. It is usually a *fetch.Client; a worker process
	// of the engine's process-isolation tier gives a proxy that sends each
	// request to its parent process instead.
	Client FetchClient
	// MaxRequests bounds the requests of one execution; the next one
	// rejects with a FetchLimitError. Default DefaultMaxFetches.
	MaxRequests int
	// MaxConcurrent bounds the requests of one execution in flight at once;
	// later ones wait for a free slot. Default DefaultMaxConcurrentFetches.
	MaxConcurrent int
	// MaxRunBytes bounds the response body bytes of one execution, summed
	// over its requests: the response that brings the total over it
	// rejects with a FetchLimitError instead of resolving, and so does
	// every later request. Default DefaultMaxRunBytes.
	MaxRunBytes int64
	// Requests, when set, counts the goroutines sending requests. A request
	// outlives the execution that made it until the cancellation of its
	// context (at End) reaches the transport; wait on Requests to know that
	// every request has returned and written its log line.
	Requests *sync.WaitGroup
}

// FetchClient sends the requests of scripts: *fetch.Client, or anything
// that stands in for one. Do must be safe for concurrent use, honour ctx,
// and return errors that keep the identities package fetch documents
// (errors.Is with fetch.ErrBlocked, fetch.ErrBodyTooLarge, the context's
// errors, errors.As with *fetch.RateLimitError...), since scripts see them
// as error codes and RateLimitError objects.
type FetchClient interface {
	Do(ctx context.Context, req *http.Request) (*fetch.Response, error)
}

var _ FetchClient = (*fetch.Client)(nil)

// fetcher is the per-runtime state of fetch: what the current execution has
// sent.
type fetcher struct {
	cfg      *FetchConfig
	sent     int
	received int64
	inflight int
	// maxReq and maxBytes are the execution's caps (Limits.FetchRequests
	// and FetchRunBytes), zero for the FetchConfig's.
	maxReq   int
	maxBytes int64
	queue    []*pendingFetch
}

type pendingFetch struct {
	start    func()
	complete func(func()) bool
	started  bool
}

// fetchPrelude defines the fetch API in JavaScript on top of one native
// function, send.
var fetchPrelude = goja.MustCompile("hookengine:fetch", `(function (global, send) {
  'use strict';
  const jsonParse = JSON.parse;
  const apply = Reflect.apply;
  const kList = Symbol('headers list');
  const kListeners = Symbol('abort listeners');
  const kInternal = Symbol('internal');
  const kBody = Symbol('body');
  const TOKEN = /^[!#$%&'*+\-.^_\x60|~0-9A-Za-z]+$/;

  class DOMException extends Error {
    constructor(message = '', name = 'Error') {
      super(message);
      Object.defineProperty(this, 'name', { value: String(name), configurable: true, writable: true });
    }
  }
  class RateLimitError extends Error {
    constructor(message, details) {
      super(message);
      this.name = 'RateLimitError';
      Object.assign(this, details);
    }
  }
  class FetchLimitError extends Error {
    constructor(message, details) {
      super(message);
      this.name = 'FetchLimitError';
      Object.assign(this, details);
    }
  }

  function headerName(name) {
    name = String(name);
    if (!TOKEN.test(name)) {
      throw new TypeError('Invalid header name: "' + name + '"');
    }
    return name.toLowerCase();
  }
  class Headers {
    constructor(init) {
      this[kList] = new Map();
      if (init === undefined || init === null) {
        return;
      }
      if (typeof init !== 'object' && typeof init !== 'function') {
        throw new TypeError('Headers must be an object, an iterable of pairs or a Headers');
      }
      if (typeof init[Symbol.iterator] === 'function') {
        for (const pair of init) {
          const p = Array.from(pair);
          if (p.length !== 2) {
            throw new TypeError('Header pairs must have exactly two items');
          }
          this.append(p[0], p[1]);
        }
        return;
      }
      for (const k of Object.keys(init)) {
        this.append(k, init[k]);
      }
    }
    append(name, value) {
      const k = headerName(name);
      const v = String(value).trim();
      const list = this[kList].get(k);
      if (list) {
        list.push(v);
      } else {
        this[kList].set(k, [v]);
      }
    }
    set(name, value) { this[kList].set(headerName(name), [String(value).trim()]); }
    get(name) {
      const list = this[kList].get(headerName(name));
      return list ? list.join(', ') : null;
    }
    has(name) { return this[kList].has(headerName(name)); }
    delete(name) { this[kList].delete(headerName(name)); }
    getSetCookie() { return (this[kList].get('set-cookie') || []).slice(); }
    forEach(callback, thisArg) {
      for (const [k, v] of this) {
        apply(callback, thisArg, [v, k, this]);
      }
    }
    *entries() {
      for (const k of Array.from(this[kList].keys()).sort()) {
        yield [k, this[kList].get(k).join(', ')];
      }
    }
    *keys() { for (const [k] of this.entries()) yield k; }
    *values() { for (const [, v] of this.entries()) yield v; }
    [Symbol.iterator]() { return this.entries(); }
  }

  function abortError() { return new DOMException('This operation was aborted', 'AbortError'); }
  function abortSignal(signal, reason) {
    if (signal.aborted) {
      return;
    }
    signal.aborted = true;
    signal.reason = reason === undefined ? abortError() : reason;
    const event = { type: 'abort', target: signal };
    if (typeof signal.onabort === 'function') {
      apply(signal.onabort, signal, [event]);
    }
    for (const fn of signal[kListeners].slice()) {
      apply(fn, signal, [event]);
    }
  }
  class AbortSignal {
    constructor(key) {
      if (key !== kInternal) {
        throw new TypeError('Illegal constructor');
      }
      this.aborted = false;
      this.reason = undefined;
      this.onabort = null;
      this[kListeners] = [];
    }
    addEventListener(type, listener) {
      if (type === 'abort' && typeof listener === 'function') {
        this[kListeners].push(listener);
      }
    }
    removeEventListener(type, listener) {
      const i = this[kListeners].indexOf(listener);
      if (type === 'abort' && i >= 0) {
        this[kListeners].splice(i, 1);
      }
    }
    throwIfAborted() {
      if (this.aborted) {
        throw this.reason;
      }
    }
    static abort(reason) {
      const s = new AbortSignal(kInternal);
      abortSignal(s, reason);
      return s;
    }
    static timeout(ms) {
      const s = new AbortSignal(kInternal);
      const t = setTimeout(() => abortSignal(s, new DOMException('The operation was aborted due to timeout', 'TimeoutError')), ms);
      t.unref();
      return s;
    }
  }
  class AbortController {
    constructor() { this.signal = new AbortSignal(kInternal); }
    abort(reason) { abortSignal(this.signal, reason); }
  }

  class Response {
    constructor(body, init) {
      init = init || {};
      this.status = init.status === undefined ? 200 : init.status;
      this.statusText = init.statusText === undefined ? '' : String(init.statusText);
      this.headers = init.headers instanceof Headers ? init.headers : new Headers(init.headers);
      this.url = '';
      this.redirected = false;
      this.type = 'default';
      this.bodyUsed = false;
      this[kBody] = body === undefined || body === null ? { text: () => '', buffer: () => new ArrayBuffer(0) } :
        { text: () => String(body), buffer: () => { throw new TypeError('arrayBuffer() of a constructed Response is not supported'); } };
    }
    get ok() { return this.status >= 200 && this.status <= 299; }
    text() { return this._consume('text'); }
    json() { return this._consume('text').then((t) => jsonParse(t)); }
    arrayBuffer() { return this._consume('buffer'); }
    clone() {
      if (this.bodyUsed) {
        throw new TypeError('Response body is already used');
      }
      const copy = Object.create(Response.prototype);
      Object.assign(copy, this);
      copy.headers = new Headers(this.headers);
      copy[kBody] = this[kBody];
      return copy;
    }
    _consume(kind) {
      if (this.bodyUsed) {
        return Promise.reject(new TypeError('Body is unusable: Body has already been read'));
      }
      this.bodyUsed = true;
      try {
        return Promise.resolve(this[kBody][kind]());
      } catch (err) {
        return Promise.reject(err);
      }
    }
  }

  function toError(d) {
    switch (d.kind) {
      case 'ratelimit':
        return new RateLimitError(d.message, { url: d.url, status: d.status, retries: d.retries, wait: d.wait });
      case 'limit':
        return new FetchLimitError(d.message, { limit: d.limit });
      case 'url': {
        // As Node's fetch: the URL is refused before anything is looked up.
        const err = new TypeError('Failed to parse URL from ' + d.url);
        err.code = 'ERR_INVALID_URL';
        err.cause = new TypeError('Invalid URL');
        err.cause.code = 'ERR_INVALID_URL';
        err.cause.input = d.url;
        return err;
      }
      default: {
        const err = new TypeError('fetch failed: ' + d.message);
        err.cause = new Error(d.message);
        if (d.code) {
          err.code = d.code;
          err.cause.code = d.code;
        }
        if (d.syscall !== undefined) {
          // A network failure, described as Node's system errors are.
          err.cause.errno = d.code;
          for (const k of ['syscall', 'hostname', 'address', 'port']) {
            if (d[k] !== undefined) err.cause[k] = d[k];
          }
        }
        return err;
      }
    }
  }

  function fetch(input, init) {
    return new Promise((resolve, reject) => {
      init = init || {};
      let url;
      if (typeof input === 'string') {
        url = input;
      } else if (input && typeof input.href === 'string') {
        url = input.href;
      } else if (input && typeof input.url === 'string') {
        url = input.url;
      } else {
        url = String(input);
      }
      const method = init.method === undefined ? 'GET' : String(init.method);
      const headers = new Headers(init.headers);
      let body = init.body;
      if (body !== undefined && body !== null) {
        const m = method.toUpperCase();
        if (m === 'GET' || m === 'HEAD') {
          throw new TypeError('Request with GET/HEAD method cannot have body.');
        }
        if (typeof body === 'string') {
          if (!headers.has('content-type')) headers.set('content-type', 'text/plain;charset=UTF-8');
        } else if (body instanceof ArrayBuffer || ArrayBuffer.isView(body)) {
          // sent as bytes
        } else if (typeof URLSearchParams === 'function' && body instanceof URLSearchParams) {
          if (!headers.has('content-type')) headers.set('content-type', 'application/x-www-form-urlencoded;charset=UTF-8');
          body = body.toString();
        } else {
          body = String(body);
          if (!headers.has('content-type')) headers.set('content-type', 'text/plain;charset=UTF-8');
        }
      } else {
        body = undefined;
      }
      const signal = init.signal;
      if (signal && signal.aborted) {
        reject(signal.reason);
        return;
      }
      const pairs = [];
      for (const [k, v] of headers) {
        pairs.push([k, v]);
      }
      let settled = false;
      const onAbort = () => {
        if (!settled) {
          settled = true;
          cancel();
          reject(signal.reason);
        }
      };
      const cancel = send(url, method, pairs, body, (err, res) => {
        if (settled) {
          return;
        }
        settled = true;
        if (signal) {
          signal.removeEventListener('abort', onAbort);
        }
        if (err) {
          reject(toError(err));
          return;
        }
        const r = new Response(null, { status: res.status, statusText: res.statusText, headers: res.headers });
        r.url = res.url;
        r.redirected = res.redirected;
        r.type = 'basic';
        r[kBody] = res.body;
        resolve(r);
      });
      if (signal && !settled) {
        signal.addEventListener('abort', onAbort);
      }
    });
  }

  const define = (name, value) => Object.defineProperty(global, name, { value, writable: true, configurable: true });
  define('fetch', fetch);
  define('Headers', Headers);
  define('Response', Response);
  define('AbortController', AbortController);
  define('AbortSignal', AbortSignal);
  define('DOMException', DOMException);
  define('RateLimitError', RateLimitError);
  define('FetchLimitError', FetchLimitError);
})`, true)

// fetchGlobals are the globals fetchPrelude defines.
var fetchGlobals = []string{"fetch", "Headers", "Response", "AbortController", "AbortSignal", "DOMException", "RateLimitError", "FetchLimitError"}

// installFetch runs fetchPrelude, on the first use of one of fetchGlobals.
func (r *Runtime) installFetch() error {
	fn, err := r.vm.RunProgram(fetchPrelude)
	if err != nil {
		return err
	}
	call, _ := goja.AssertFunction(fn)
	_, err = call(goja.Undefined(), r.vm.GlobalObject(), r.Func("send", r.fetchSend))
	return err
}

// reset forgets what the previous execution sent and takes the caps of
// the next one from lim.
func (f *fetcher) reset(lim Limits) {
	f.sent, f.received, f.inflight = 0, 0, 0
	f.maxReq, f.maxBytes = lim.FetchRequests, lim.FetchRunBytes
	clear(f.queue)
	f.queue = f.queue[:0]
}

// fetchSend is the native half of fetch: send(url, method, headerPairs,
// body, callback) starts the request and returns a function that cancels it.
// callback(errDescriptor, response) is called once on the loop, unless the
// request was cancelled.
func (r *Runtime) fetchSend(call goja.FunctionCall) goja.Value {
	vm := r.vm
	f := r.fetch
	cb, ok := goja.AssertFunction(call.Argument(4))
	if !ok {
		panic(vm.NewTypeError("fetch: internal callback missing"))
	}
	noop := r.Func("cancel", func(goja.FunctionCall) goja.Value { return goja.Undefined() })
	fail := func(d map[string]any) goja.Value {
		_, _ = cb(goja.Undefined(), vm.ToValue(d), goja.Undefined())
		return noop
	}
	maxReq := f.maxReq
	if maxReq <= 0 {
		maxReq = f.cfg.MaxRequests
	}
	if maxReq <= 0 {
		maxReq = DefaultMaxFetches
	}
	if f.sent >= maxReq {
		return fail(map[string]any{"kind": "limit", "limit": maxReq,
			"message": fmt.Sprintf("a hook run may make at most %d requests", maxReq)})
	}
	if f.received > f.maxRunBytes() {
		return fail(f.bytesLimit())
	}
	req, err := r.buildRequest(call)
	if err != nil {
		var ue *invalidURLError
		if errors.As(err, &ue) {
			return fail(map[string]any{"kind": "url", "url": ue.url})
		}
		return fail(map[string]any{"kind": "network", "message": err.Error(), "code": errorCode(err)})
	}
	f.sent++

	ctx, cancel := context.WithCancel(r.Context())
	complete := r.Pending()
	p := &pendingFetch{complete: complete}
	p.start = func() {
		p.started = true
		f.inflight++
		if f.cfg.Requests != nil {
			f.cfg.Requests.Add(1)
		}
		go func() {
			if f.cfg.Requests != nil {
				defer f.cfg.Requests.Done()
			}
			resp, err := f.cfg.Client.Do(ctx, req)
			cancel()
			complete(func() {
				f.inflight--
				f.next()
				if err == nil && resp != nil {
					f.received += int64(len(resp.Body))
					if f.received > f.maxRunBytes() {
						_, _ = cb(goja.Undefined(), vm.ToValue(f.bytesLimit()), goja.Undefined())
						return
					}
				}
				r.deliver(cb, resp, err)
			})
		}()
	}
	maxConc := f.cfg.MaxConcurrent
	if maxConc <= 0 {
		maxConc = DefaultMaxConcurrentFetches
	}
	if f.inflight < maxConc {
		p.start()
	} else {
		f.queue = append(f.queue, p)
	}
	return r.Func("cancel", func(goja.FunctionCall) goja.Value {
		cancel()
		if !p.started {
			for i, q := range f.queue {
				if q == p {
					f.queue = append(f.queue[:i], f.queue[i+1:]...)
					break
				}
			}
			p.complete(nil)
		}
		return goja.Undefined()
	})
}

// maxRunBytes is the response byte budget of one execution.
func (f *fetcher) maxRunBytes() int64 {
	switch {
	case f.maxBytes > 0:
		return f.maxBytes
	case f.cfg.MaxRunBytes > 0:
		return f.cfg.MaxRunBytes
	}
	return DefaultMaxRunBytes
}

// bytesLimit describes the FetchLimitError of an execution over its
// response byte budget.
func (f *fetcher) bytesLimit() map[string]any {
	limit := f.maxRunBytes()
	return map[string]any{"kind": "limit", "limit": limit,
		"message": fmt.Sprintf("a hook run may receive at most %d response bytes", limit)}
}

// next starts the oldest queued request, if a slot is free.
func (f *fetcher) next() {
	if len(f.queue) == 0 {
		return
	}
	p := f.queue[0]
	f.queue = f.queue[1:]
	p.start()
}

// buildRequest turns fetch's arguments into an http.Request.
func (r *Runtime) buildRequest(call goja.FunctionCall) (*http.Request, error) {
	raw := call.Argument(0).String()
	u, err := url.Parse(raw)
	if err != nil {
		return nil, &invalidURLError{raw}
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, fetch.ErrUnsupportedScheme
	}
	if u.Host == "" || !validHost(u.Hostname()) {
		return nil, &invalidURLError{raw}
	}
	method := call.Argument(1).String()
	if !validMethod(method) {
		return nil, fmt.Errorf("invalid method %q", method)
	}
	var body []byte
	switch b := call.Argument(3).Export().(type) {
	case nil:
	case string:
		body = []byte(b)
	case goja.ArrayBuffer:
		body = bytes.Clone(b.Bytes())
	case []byte:
		body = bytes.Clone(b)
	default:
		if v := call.Argument(3); !goja.IsUndefined(v) {
			body = bytesOf(r.vm, v)
		}
	}
	req, err := http.NewRequest(strings.ToUpper(method), u.String(), bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	if body == nil {
		req.Body, req.GetBody, req.ContentLength = http.NoBody, nil, 0
	}
	if pairs, ok := call.Argument(2).Export().([]any); ok {
		for _, p := range pairs {
			if kv, ok := p.([]any); ok && len(kv) == 2 {
				req.Header.Add(fmt.Sprint(kv[0]), fmt.Sprint(kv[1]))
			}
		}
	}
	if req.Header.Get("User-Agent") == "" {
		req.Header.Set("User-Agent", "hookengine")
	}
	return req, nil
}

// bytesOf copies the bytes of a typed array or DataView.
func bytesOf(vm *goja.Runtime, v goja.Value) []byte {
	o, ok := v.(*goja.Object)
	if !ok {
		return []byte(v.String())
	}
	buf, ok := o.Get("buffer").Export().(goja.ArrayBuffer)
	if !ok {
		return []byte(v.String())
	}
	off, n := o.Get("byteOffset").ToInteger(), o.Get("byteLength").ToInteger()
	all := buf.Bytes()
	if off < 0 || n < 0 || off+n > int64(len(all)) {
		return nil
	}
	return bytes.Clone(all[off : off+n])
}

func validMethod(m string) bool {
	if m == "" {
		return false
	}
	for _, c := range m {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.ContainsRune("!#$%&'*+-.^_`|~", c)) {
			return false
		}
	}
	return true
}

// deliver settles a fetch on the loop.
func (r *Runtime) deliver(cb goja.Callable, resp *fetch.Response, err error) {
	vm := r.vm
	if err != nil {
		if errors.Is(err, context.Canceled) {
			return // aborted by the script, or the execution is over
		}
		d := map[string]any{"kind": "network", "message": err.Error(), "code": errorCode(err)}
		var se *fetch.SystemError
		if errors.As(err, &se) {
			d["syscall"] = se.Syscall
			if se.Hostname != "" {
				d["hostname"] = se.Hostname
			}
			if se.Address != "" {
				d["address"], d["port"] = se.Address, se.Port
			}
		}
		var rl *fetch.RateLimitError
		if errors.As(err, &rl) {
			d = map[string]any{"kind": "ratelimit", "message": rl.Error(), "url": rl.Origin, "status": rl.Status,
				"retries": rl.Retries, "wait": rl.Wait.Milliseconds()}
		}
		_, _ = cb(goja.Undefined(), vm.ToValue(d), goja.Undefined())
		return
	}
	headers := make([]any, 0, len(resp.Header))
	for k, vs := range resp.Header {
		for _, v := range vs {
			headers = append(headers, []any{strings.ToLower(k), v})
		}
	}
	body := vm.NewObject()
	data := resp.Body
	_ = body.Set("text", r.Func("text", func(goja.FunctionCall) goja.Value {
		if utf8.Valid(data) {
			return r.hostString(string(data))
		}
		return r.hostString(strings.ToValidUTF8(string(data), "\uFFFD"))
	}))
	_ = body.Set("buffer", r.Func("buffer", func(goja.FunctionCall) goja.Value {
		return vm.ToValue(vm.NewArrayBuffer(bytes.Clone(data)))
	}))
	res := vm.NewObject()
	_ = res.Set("status", resp.Status)
	_ = res.Set("statusText", resp.StatusText)
	_ = res.Set("url", resp.URL)
	_ = res.Set("redirected", resp.Redirected)
	_ = res.Set("headers", vm.NewArray(headers...))
	_ = res.Set("body", body)
	_, _ = cb(goja.Undefined(), goja.Null(), res)
}

// invalidURLError is a URL fetch refuses before looking anything up.
type invalidURLError struct{ url string }

func (e *invalidURLError) Error() string { return "Invalid URL: " + e.url }

// validHost reports whether h can be looked up or dialled: an IP address or
// a name without the code points URLs forbid in a domain (Auth0 samples
// write https://<tenant>/, which must not reach a resolver).
func validHost(h string) bool {
	if h == "" {
		return false
	}
	if _, err := netip.ParseAddr(h); err == nil {
		return true
	}
	for _, c := range h {
		if c <= 0x20 || c == 0x7f || strings.ContainsRune("#%/:<>?@[\\]^|", c) {
			return false
		}
	}
	return true
}

// errorCode names a request error for scripts.
func errorCode(err error) string {
	var se *fetch.SystemError
	if errors.As(err, &se) {
		return se.Code
	}
	switch {
	case errors.Is(err, fetch.ErrBlocked):
		return "ERR_BLOCKED_ADDRESS"
	case errors.Is(err, fetch.ErrTooManyRedirects):
		return "ERR_TOO_MANY_REDIRECTS"
	case errors.Is(err, fetch.ErrDowngrade):
		return "ERR_HTTPS_DOWNGRADE"
	case errors.Is(err, fetch.ErrUnsupportedScheme):
		return "ERR_UNSUPPORTED_SCHEME"
	case errors.Is(err, fetch.ErrBodyTooLarge):
		return "ERR_BODY_TOO_LARGE"
	}
	return "ERR_NETWORK"
}
