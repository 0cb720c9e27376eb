// node-fetch: version 2's API (the CommonJS one) on top of the engine's
// fetch. The default export is fetch; responses also have buffer() and
// headers.raw(); failures reject with a FetchError or an AbortError.
'use strict';
const { Buffer } = require('buffer');
const globalFetch = host.fetch;
const setTimeoutFn = setTimeout;
const clearTimeoutFn = clearTimeout;

class FetchError extends Error {
  constructor(message, type, systemError) {
    super(message);
    this.name = 'FetchError';
    this.type = type;
    if (systemError) {
      this.code = this.errno = systemError.code;
      this.erroredSysCall = systemError.syscall;
    }
  }
}

class AbortError extends Error {
  constructor(message) {
    super(message);
    this.name = 'AbortError';
    this.type = 'aborted';
  }
}

function isRedirect(code) {
  return code === 301 || code === 302 || code === 303 || code === 307 || code === 308;
}

function decorate(res) {
  res.buffer = function buffer() {
    return res.arrayBuffer().then((ab) => Buffer.from(ab));
  };
  res.textConverted = function textConverted() {
    return res.text();
  };
  const headers = res.headers;
  headers.raw = function raw() {
    const out = {};
    for (const [k, v] of headers) {
      out[k] = k === 'set-cookie' ? headers.getSetCookie() : [v];
    }
    return out;
  };
  res.size = 0;
  res.timeout = 0;
  return res;
}

function fetch(url, options) {
  if (typeof globalFetch !== 'function') {
    return Promise.reject(new FetchError('network access is not available: the engine gives this hook no fetch', 'system', { code: 'ERR_NETWORK' }));
  }
  const opts = Object.assign({}, options);
  const href = typeof url === 'string' ? url : url && (url.href || url.url) ? (url.href || url.url) : String(url);
  const init = { method: opts.method, headers: opts.headers, body: opts.body };
  if (init.body !== undefined && init.body !== null && typeof init.body === 'object' &&
      !(init.body instanceof ArrayBuffer) && !ArrayBuffer.isView(init.body) &&
      !(typeof URLSearchParams === 'function' && init.body instanceof URLSearchParams)) {
    init.body = String(init.body);
  }
  let timer = null;
  let timedOut = false;
  const controller = new AbortController();
  const signal = opts.signal;
  if (signal) {
    if (signal.aborted) {
      return Promise.reject(new AbortError('The user aborted a request.'));
    }
    signal.addEventListener('abort', () => controller.abort());
  }
  init.signal = controller.signal;
  if (opts.timeout > 0) {
    timer = setTimeoutFn(() => {
      timedOut = true;
      controller.abort();
    }, opts.timeout);
  }
  const done = () => {
    if (timer !== null) {
      clearTimeoutFn(timer);
      timer = null;
    }
  };
  return globalFetch(href, init).then((res) => {
    done();
    return decorate(res);
  }, (err) => {
    done();
    if (timedOut) {
      throw new FetchError('network timeout at: ' + href, 'request-timeout');
    }
    if (err && err.name === 'AbortError') {
      throw new AbortError('The user aborted a request.');
    }
    if (err && (err.name === 'RateLimitError' || err.name === 'FetchLimitError')) {
      throw err;
    }
    if (err && err.code === 'ERR_INVALID_URL' && err.cause) {
      throw err.cause; // node-fetch's Request throws new URL's TypeError
    }
    const reason = err && err.cause && err.cause.message ? err.cause.message : String(err && err.message);
    const code = err && err.code ? err.code : 'ERR_NETWORK';
    throw new FetchError('request to ' + href + ' failed, reason: ' + reason, 'system', Object.assign({}, err && err.cause, { code, errno: code }));
  });
}

fetch.default = fetch;
fetch.isRedirect = isRedirect;
fetch.FetchError = FetchError;
fetch.AbortError = AbortError;
fetch.Headers = typeof Headers === 'function' ? Headers : undefined;
fetch.Response = typeof Response === 'function' ? Response : undefined;
Object.defineProperty(fetch, '__esModule', { value: true });
module.exports = fetch;
