// request: the callback API of the request package (2.88) on top of the
// engine's fetch — request(options, callback), the verb helpers, defaults,
// json, form, qs, headers, auth (basic and bearer), timeout, encoding.
// Redirects are always followed (at most 5); cookie jars, proxies, agents
// and TLS options are accepted and ignored.
'use strict';
const EventEmitter = require('events');
const { Buffer } = require('buffer');
const querystring = require('querystring');
const globalFetch = host.fetch;
const setTimeoutFn = setTimeout;
const clearTimeoutFn = clearTimeout;
const setImmediateFn = setImmediate;

// encodeQS encodes as the qs package does by default (RFC 3986).
function encodeQS(s) {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
}

// qsStringify is the qs package's stringify with its defaults: nested
// objects as a[b]=c, arrays as a[0]=x, null as an empty value, undefined
// skipped.
function qsStringify(obj) {
  const parts = [];
  function add(key, v) {
    if (v === undefined || typeof v === 'function' || typeof v === 'symbol') {
      return;
    }
    if (v === null) {
      parts.push(encodeQS(key) + '=');
      return;
    }
    if (v instanceof Date) {
      v = v.toISOString();
    }
    if (Buffer.isBuffer(v)) {
      v = v.toString();
    }
    if (Array.isArray(v)) {
      v.forEach((x, i) => add(key + '[' + i + ']', x));
      return;
    }
    if (typeof v === 'object') {
      for (const k of Object.keys(v)) {
        add(key + '[' + k + ']', v[k]);
      }
      return;
    }
    parts.push(encodeQS(key) + '=' + encodeQS(String(v)));
  }
  if (obj !== null && typeof obj === 'object') {
    for (const k of Object.keys(obj)) {
      add(k, obj[k]);
    }
  }
  return parts.join('&');
}

function stringifyQuery(obj, useQuerystring) {
  return useQuerystring ? querystring.stringify(obj) : qsStringify(obj);
}

function initParams(uri, options, callback) {
  if (typeof options === 'function') {
    callback = options;
  }
  const params = {};
  if (options !== null && typeof options === 'object') {
    Object.assign(params, options, { uri });
  } else if (typeof uri === 'string') {
    params.uri = uri;
  } else {
    Object.assign(params, uri);
  }
  params.callback = callback || params.callback;
  return params;
}

function findHeader(headers, name) {
  const lower = name.toLowerCase();
  return Object.keys(headers).find((k) => k.toLowerCase() === lower);
}

class Request extends EventEmitter {
  constructor(options) {
    super();
    // Options named like a method (json, form, qs, auth...) are applied
    // below, not copied, as request does.
    for (const k of Object.keys(options)) {
      if (!(k in Request.prototype) && k !== 'callback') {
        this[k] = options[k];
      }
    }
    this.headers = Object.assign({}, options.headers);
    this.method = String(options.method || 'GET').toUpperCase();
    this._json = false;
    this._started = false;
    this._aborted = false;
    this._callbackCalled = false;
    const callback = options.callback;
    if (typeof callback === 'function') {
      this.callback = (...args) => {
        if (this._callbackCalled) {
          return;
        }
        this._callbackCalled = true;
        callback.apply(this, args);
      };
      this.on('error', (err) => this.callback(err));
      this.on('complete', (response, body) => this.callback(null, response, body));
    }
    let uri = options.uri !== undefined ? options.uri : options.url;
    if (uri && typeof uri === 'object' && typeof uri.href === 'string') {
      uri = uri.href;
    }
    if (options.baseUrl !== undefined && typeof uri === 'string') {
      uri = String(options.baseUrl).replace(/\/+$/, '') + '/' + uri.replace(/^\/+/, '');
    }
    if (typeof uri !== 'string' || uri === '') {
      return this._fail(new Error('options.uri is a required argument'));
    }
    this.href = uri;
    if (options.qs) {
      this.qs(options.qs);
    }
    if (options.form !== undefined) {
      this.form(options.form);
    }
    if (options.json !== undefined) {
      this.json(options.json);
    }
    if (options.auth) {
      const a = options.auth;
      this.auth(a.user !== undefined ? a.user : a.username, a.pass !== undefined ? a.pass : a.password, a.sendImmediately, a.bearer);
    }
    setImmediateFn(() => this._start());
  }

  _fail(err) {
    setImmediateFn(() => {
      if (!this._aborted) {
        this.emit('error', err);
      }
    });
    this._failed = true;
    return this;
  }

  getHeader(name) {
    const k = findHeader(this.headers, name);
    return k === undefined ? undefined : this.headers[k];
  }
  hasHeader(name) {
    return findHeader(this.headers, name) !== undefined;
  }
  setHeader(name, value, clobber) {
    const k = findHeader(this.headers, name);
    if (k !== undefined) {
      if (clobber === false) {
        this.headers[k] += ',' + value;
        return this;
      }
      delete this.headers[k];
    }
    this.headers[name] = value;
    return this;
  }
  removeHeader(name) {
    const k = findHeader(this.headers, name);
    if (k !== undefined) {
      delete this.headers[k];
    }
    return this;
  }

  qs(q, clobber) {
    const url = this.href;
    const hash = url.indexOf('#');
    const base = hash >= 0 ? url.slice(0, hash) : url;
    const i = base.indexOf('?');
    const existing = {};
    if (i >= 0 && !clobber) {
      for (const [k, v] of new URLSearchParams(base.slice(i + 1))) {
        existing[k] = v;
      }
    }
    const merged = Object.assign(existing, q);
    const query = stringifyQuery(merged, this.useQuerystring);
    this.href = (i >= 0 ? base.slice(0, i) : base) + (query ? '?' + query : '');
    return this;
  }

  form(form) {
    if (form === undefined) {
      return this;
    }
    this.body = typeof form === 'string' ? form : stringifyQuery(form, this.useQuerystring);
    if (!this.hasHeader('content-type')) {
      this.setHeader('content-type', 'application/x-www-form-urlencoded');
    }
    return this;
  }

  json(val) {
    if (!this.hasHeader('accept')) {
      this.setHeader('accept', 'application/json');
    }
    this._json = true;
    if (typeof val === 'boolean') {
      if (this.body !== undefined) {
        const ct = this.getHeader('content-type');
        if (!/^application\/x-www-form-urlencoded\b/.test(ct || '')) {
          this.body = JSON.stringify(this.body);
        }
        if (!this.hasHeader('content-type')) {
          this.setHeader('content-type', 'application/json');
        }
      }
      if (val === false) {
        this._json = false;
      }
    } else {
      this.body = JSON.stringify(val);
      if (!this.hasHeader('content-type')) {
        this.setHeader('content-type', 'application/json');
      }
    }
    return this;
  }

  auth(user, pass, sendImmediately, bearer) {
    if (bearer !== undefined && bearer !== null) {
      const token = typeof bearer === 'function' ? bearer() : bearer;
      this.setHeader('authorization', 'Bearer ' + token);
    } else if (user !== undefined || pass !== undefined) {
      this.setHeader('authorization', 'Basic ' + Buffer.from((user || '') + ':' + (pass || '')).toString('base64'));
    }
    return this;
  }

  abort() {
    if (this._aborted) {
      return;
    }
    this._aborted = true;
    if (this._controller) {
      this._controller.abort();
    }
    if (this._timer) {
      clearTimeoutFn(this._timer);
    }
    this.emit('abort');
  }

  pipe(dest) {
    this.on('data', (chunk) => dest.write(chunk));
    this.on('end', () => {
      if (typeof dest.end === 'function') {
        dest.end();
      }
    });
    return dest;
  }

  _start() {
    if (this._started || this._aborted || this._failed) {
      return;
    }
    this._started = true;
    let url;
    try {
      url = new URL(this.href);
    } catch (e) {
      this.emit('error', new Error('Invalid URI "' + this.href + '"'));
      return;
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      this.emit('error', new Error('Invalid protocol: ' + url.protocol));
      return;
    }
    if ((url.username || url.password) && !this.hasHeader('authorization')) {
      this.auth(decodeURIComponent(url.username), decodeURIComponent(url.password));
    }
    let body = this.body;
    if (body !== undefined && body !== null && typeof body !== 'string' && !(body instanceof Uint8Array)) {
      if (body instanceof ArrayBuffer) {
        body = new Uint8Array(body);
      } else {
        this.emit('error', new Error('Argument error, options.body.'));
        return;
      }
    }
    if (typeof body === 'string') {
      body = Buffer.from(body); // sent as it is: no Content-Type is added
    }
    if (this.method === 'GET' || this.method === 'HEAD') {
      body = undefined;
    }
    const headers = [];
    for (const k of Object.keys(this.headers)) {
      if (this.headers[k] !== undefined && this.headers[k] !== null) {
        headers.push([k, String(this.headers[k])]);
      }
    }
    this.uri = {
      href: url.href, protocol: url.protocol, host: url.host, hostname: url.hostname, port: url.port,
      path: url.pathname + url.search, pathname: url.pathname, search: url.search || null, query: url.search ? url.search.slice(1) : null,
    };
    if (typeof globalFetch !== 'function') {
      this.emit('error', new Error('network access is not available: the engine gives this hook no fetch'));
      return;
    }
    const controller = new AbortController();
    this._controller = controller;
    let timedOut = false;
    if (this.timeout > 0) {
      this._timer = setTimeoutFn(() => {
        timedOut = true;
        controller.abort();
      }, this.timeout);
    }
    const requestInfo = { uri: this.uri, method: this.method, headers: Object.assign({}, this.headers) };
    globalFetch(url.href, { method: this.method, headers, body, signal: controller.signal }).then((res) => {
      return res.arrayBuffer().then((ab) => {
        if (this._timer) {
          clearTimeoutFn(this._timer);
          this._timer = null;
        }
        if (this._aborted) {
          return;
        }
        const response = new EventEmitter();
        response.statusCode = res.status;
        response.statusMessage = res.statusText;
        response.httpVersion = '1.1';
        response.headers = {};
        response.rawHeaders = [];
        for (const [k, v] of res.headers) {
          response.headers[k] = k === 'set-cookie' ? res.headers.getSetCookie() : v;
          response.rawHeaders.push(k, v);
        }
        response.request = requestInfo;
        response.caseless = { get: (name) => response.headers[String(name).toLowerCase()] };
        response.toJSON = function toJSON() {
          return { statusCode: this.statusCode, body: this.body, headers: this.headers, request: this.request };
        };
        this.response = response;
        const buf = Buffer.from(ab);
        let out;
        if (this.encoding === null) {
          out = buf;
        } else {
          out = buf.toString(this.encoding || 'utf8');
          if (out.charCodeAt(0) === 0xFEFF) {
            out = out.slice(1);
          }
        }
        if (this._json && typeof out === 'string') {
          try {
            out = JSON.parse(out);
          } catch (e) {
            // request leaves a body that is not JSON as text
          }
        }
        response.body = out;
        this.emit('response', response);
        if (buf.length > 0) {
          this.emit('data', buf);
        }
        this.emit('end');
        this.emit('complete', response, out);
      });
    }, (err) => {
      if (this._timer) {
        clearTimeoutFn(this._timer);
        this._timer = null;
      }
      if (this._aborted) {
        return;
      }
      let e;
      if (timedOut) {
        e = new Error('ETIMEDOUT');
        e.code = 'ETIMEDOUT';
        e.connect = false;
      } else if (err && (err.name === 'RateLimitError' || err.name === 'FetchLimitError')) {
        e = err;
      } else {
        const cause = err && err.cause;
        e = new Error(cause && cause.message ? cause.message : String(err && err.message));
        e.code = err && err.code ? err.code : 'ECONNRESET';
        if (cause) {
          // Node's system error fields: errno, syscall, hostname, address, port.
          for (const k of ['errno', 'syscall', 'hostname', 'address', 'port']) {
            if (cause[k] !== undefined) e[k] = cause[k];
          }
        }
        e.cause = err;
      }
      this.emit('error', e);
    });
  }
}

function request(uri, options, callback) {
  if (uri === undefined) {
    throw new Error('undefined is not a valid uri or options object.');
  }
  const params = initParams(uri, options, callback);
  if (params.method === 'HEAD' && params.body !== undefined) {
    throw new Error('HTTP HEAD requests MUST NOT include a request body.');
  }
  return new Request(params);
}

function verbFunc(verb) {
  const method = verb === 'del' ? 'DELETE' : verb.toUpperCase();
  return function (uri, options, callback) {
    const params = initParams(uri, options, callback);
    params.method = method;
    return request(params, params.callback);
  };
}

const VERBS = ['get', 'head', 'options', 'post', 'put', 'patch', 'del', 'delete'];
for (const verb of VERBS) {
  request[verb] = verbFunc(verb);
}

function wrapRequestMethod(method, defaults, requester, verb) {
  return function (uri, opts, callback) {
    const params = initParams(uri, opts, callback);
    const target = {};
    Object.assign(target, defaults, params);
    target.headers = Object.assign({}, defaults.headers, params.headers);
    target.pool = params.pool || defaults.pool;
    if (verb) {
      target.method = verb === 'del' ? 'DELETE' : verb.toUpperCase();
    }
    if (typeof requester === 'function') {
      method = requester;
    }
    return method(target, target.callback);
  };
}

request.defaults = function defaults(options, requester) {
  const self = this;
  options = options || {};
  if (typeof options === 'function') {
    requester = options;
    options = {};
  }
  const defaulted = wrapRequestMethod(self, options, requester);
  for (const verb of VERBS) {
    defaulted[verb] = wrapRequestMethod(self[verb], options, requester, verb);
  }
  defaulted.cookie = self.cookie;
  defaulted.jar = self.jar;
  defaulted.defaults = self.defaults;
  return defaulted;
};
request.forever = function forever(agentOptions, optionsArg) {
  return request.defaults(Object.assign({}, optionsArg, { forever: true }));
};
request.jar = function jar() {
  return { setCookie() {}, getCookieString() { return ''; }, getCookies() { return []; } };
};
request.cookie = function cookie(str) {
  return str;
};
request.initParams = initParams;
request.Request = Request;
module.exports = request;
