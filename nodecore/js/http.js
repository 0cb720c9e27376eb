// http and https: the client side of Node's modules — request and get,
// ClientRequest and IncomingMessage with their events — sending every
// request through the engine's fetch. The response body is read whole, then
// emitted as 'data' chunks. Servers are not available.
'use strict';
const EventEmitter = require('events');
const { Readable } = require('stream');
const { Socket } = require('net');
const { Buffer } = require('buffer');
const fetch = host.fetch;
const defaultProtocol = host.protocol;
const defaultPort = defaultProtocol === 'https:' ? 443 : 80;
const setTimeoutFn = setTimeout;
const clearTimeoutFn = clearTimeout;
const nextTick = process.nextTick;

// CHUNK is the size of 'data' chunks; a multiple of 2, 3 and 4, so base64,
// hex and utf16le chunks decode on their own.
const CHUNK = 16380;

const STATUS_CODES = {
  100: 'Continue', 101: 'Switching Protocols', 102: 'Processing', 103: 'Early Hints',
  200: 'OK', 201: 'Created', 202: 'Accepted', 203: 'Non-Authoritative Information', 204: 'No Content',
  205: 'Reset Content', 206: 'Partial Content', 207: 'Multi-Status', 208: 'Already Reported', 226: 'IM Used',
  300: 'Multiple Choices', 301: 'Moved Permanently', 302: 'Found', 303: 'See Other', 304: 'Not Modified',
  305: 'Use Proxy', 307: 'Temporary Redirect', 308: 'Permanent Redirect',
  400: 'Bad Request', 401: 'Unauthorized', 402: 'Payment Required', 403: 'Forbidden', 404: 'Not Found',
  405: 'Method Not Allowed', 406: 'Not Acceptable', 407: 'Proxy Authentication Required', 408: 'Request Timeout',
  409: 'Conflict', 410: 'Gone', 411: 'Length Required', 412: 'Precondition Failed', 413: 'Payload Too Large',
  414: 'URI Too Long', 415: 'Unsupported Media Type', 416: 'Range Not Satisfiable', 417: 'Expectation Failed',
  418: 'I\'m a Teapot', 421: 'Misdirected Request', 422: 'Unprocessable Entity', 423: 'Locked', 424: 'Failed Dependency',
  425: 'Too Early', 426: 'Upgrade Required', 428: 'Precondition Required', 429: 'Too Many Requests',
  431: 'Request Header Fields Too Large', 451: 'Unavailable For Legal Reasons',
  500: 'Internal Server Error', 501: 'Not Implemented', 502: 'Bad Gateway', 503: 'Service Unavailable',
  504: 'Gateway Timeout', 505: 'HTTP Version Not Supported', 506: 'Variant Also Negotiates', 507: 'Insufficient Storage',
  508: 'Loop Detected', 509: 'Bandwidth Limit Exceeded', 510: 'Not Extended', 511: 'Network Authentication Required',
};
const METHODS = ['ACL', 'BIND', 'CHECKOUT', 'CONNECT', 'COPY', 'DELETE', 'GET', 'HEAD', 'LINK', 'LOCK', 'M-SEARCH', 'MERGE',
  'MKACTIVITY', 'MKCALENDAR', 'MKCOL', 'MOVE', 'NOTIFY', 'OPTIONS', 'PATCH', 'POST', 'PROPFIND', 'PROPPATCH', 'PURGE',
  'PUT', 'QUERY', 'REBIND', 'REPORT', 'SEARCH', 'SOURCE', 'SUBSCRIBE', 'TRACE', 'UNBIND', 'UNLINK', 'UNLOCK', 'UNSUBSCRIBE'];

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

function codeError(Ctor, message, code) {
  const err = new Ctor(message);
  err.code = code;
  return err;
}

function validateHeaderName(name) {
  if (typeof name !== 'string' || !TOKEN.test(name)) {
    throw codeError(TypeError, 'Header name must be a valid HTTP token ["' + name + '"]', 'ERR_INVALID_HTTP_TOKEN');
  }
}

function validateHeaderValue(name, value) {
  if (value === undefined) {
    throw codeError(TypeError, 'Invalid value "undefined" for header "' + name + '"', 'ERR_HTTP_INVALID_HEADER_VALUE');
  }
  if (/[^\t\x20-\x7e\x80-\xff]/.test(String(value))) {
    throw codeError(TypeError, 'Invalid character in header content ["' + name + '"]', 'ERR_INVALID_CHAR');
  }
}

class Agent extends EventEmitter {
  constructor(options) {
    super();
    this.options = Object.assign({}, options);
    this.keepAlive = Boolean(this.options.keepAlive);
    this.maxSockets = this.options.maxSockets || Infinity;
    this.maxFreeSockets = this.options.maxFreeSockets || 256;
    this.defaultPort = defaultPort;
    this.protocol = defaultProtocol;
    this.requests = {};
    this.sockets = {};
    this.freeSockets = {};
  }
  destroy() {}
}
const globalAgent = new Agent();

function urlToOptions(u) {
  const hostname = u.hostname.startsWith('[') ? u.hostname.slice(1, -1) : u.hostname;
  const options = {
    protocol: u.protocol, hostname, hash: u.hash, search: u.search, pathname: u.pathname,
    path: (u.pathname || '/') + (u.search || ''), href: u.href,
  };
  if (u.port !== '') {
    options.port = Number(u.port);
  }
  if (u.username || u.password) {
    options.auth = decodeURIComponent(u.username) + ':' + decodeURIComponent(u.password);
  }
  return options;
}

function isURL(v) {
  return v !== null && typeof v === 'object' && typeof v.href === 'string' && typeof v.protocol === 'string' &&
    typeof v.hostname === 'string' && typeof v.pathname === 'string';
}

// normalizeArgs accepts (url[, options][, callback]) and (options[, callback]).
function normalizeArgs(input, options, cb) {
  let base = null;
  if (typeof input === 'string') {
    base = urlToOptions(new URL(input));
  } else if (isURL(input)) {
    base = urlToOptions(input);
  } else {
    cb = options;
    options = input;
  }
  if (typeof options === 'function') {
    cb = options;
    options = undefined;
  }
  return [Object.assign({}, base, options), cb];
}

function toBuffer(chunk, encoding) {
  if (typeof chunk === 'string') {
    return Buffer.from(chunk, encoding);
  }
  if (chunk instanceof Uint8Array) {
    return chunk;
  }
  if (chunk instanceof ArrayBuffer) {
    return Buffer.from(chunk);
  }
  if (ArrayBuffer.isView(chunk)) {
    return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  }
  throw codeError(TypeError, 'The "chunk" argument must be of type string or an instance of Buffer or Uint8Array. Received ' +
    (chunk === null ? 'null' : typeof chunk), 'ERR_INVALID_ARG_TYPE');
}

// networkError turns a fetch rejection into the error Node's http emits.
function networkError(err) {
  if (err && (err.name === 'RateLimitError' || err.name === 'FetchLimitError')) {
    return err;
  }
  const cause = err && err.cause;
  const e = new Error(cause && cause.message ? cause.message : String(err && err.message));
  e.code = err && err.code ? err.code : 'ECONNRESET';
  copySystemFields(e, cause);
  e.cause = err;
  return e;
}

// copySystemFields gives e the fields of Node's system errors (errno,
// syscall, hostname, address, port) that fetch's cause carries.
function copySystemFields(e, cause) {
  if (cause) {
    for (const k of ['errno', 'syscall', 'hostname', 'address', 'port']) {
      if (cause[k] !== undefined) e[k] = cause[k];
    }
  }
}

const kHeaders = Symbol('headers');
const kChunks = Symbol('chunks');
const kEnded = Symbol('ended');
const kTimeout = Symbol('timeout');
const kTimer = Symbol('timer');
const kController = Symbol('controller');
const kUrl = Symbol('url');
const kSend = Symbol('send');
const kArm = Symbol('arm');
const kDone = Symbol('done');

class ClientRequest extends EventEmitter {
  constructor(options, cb) {
    super();
    const protocol = options.protocol || defaultProtocol;
    if (protocol !== defaultProtocol) {
      throw codeError(TypeError, 'Protocol "' + protocol + '" not supported. Expected "' + defaultProtocol + '"', 'ERR_INVALID_PROTOCOL');
    }
    if (options.socketPath) {
      throw codeError(Error, 'Unix sockets are not available in hooks', 'ERR_FEATURE_UNAVAILABLE_ON_PLATFORM');
    }
    const hostname = String(options.hostname || options.host || 'localhost');
    const agent = options.agent;
    const port = Number(options.port || (agent && agent.defaultPort) || defaultPort);
    const method = String(options.method || 'GET').toUpperCase();
    if (!TOKEN.test(method)) {
      throw codeError(TypeError, 'Method must be a valid HTTP token ["' + options.method + '"]', 'ERR_INVALID_HTTP_TOKEN');
    }
    const path = options.path === undefined || options.path === null ? '/' : String(options.path);
    if (/[\u0000-\u0020]/.test(path)) {
      throw codeError(TypeError, 'Request path contains unescaped characters', 'ERR_UNESCAPED_CHARACTERS');
    }
    this.method = method;
    this.path = path;
    this.host = hostname;
    this.protocol = protocol;
    this.agent = agent === undefined ? globalAgent : agent;
    this.finished = false;
    this.aborted = false;
    this.destroyed = false;
    this.headersSent = false;
    this.reusedSocket = false;
    this.writable = true; // streams piped into a request check it
    this.res = null;
    this.socket = null;
    this[kHeaders] = new Map();
    this[kChunks] = [];
    this[kEnded] = false;
    this[kTimeout] = 0;
    this[kTimer] = null;
    this[kController] = null;
    this[kDone] = false;
    const hostPart = hostname.includes(':') ? '[' + hostname + ']' : hostname;
    this[kUrl] = protocol + '//' + hostPart + (port === defaultPort ? '' : ':' + port) + (path.startsWith('/') ? path : '/' + path);
    const headers = options.headers;
    if (Array.isArray(headers)) {
      for (let i = 0; i + 1 < headers.length; i += 2) {
        this.appendHeader(headers[i], headers[i + 1]);
      }
    } else if (headers) {
      for (const k of Object.keys(headers)) {
        if (headers[k] !== undefined) {
          this.setHeader(k, headers[k]);
        }
      }
    }
    if (options.auth && !this.hasHeader('authorization')) {
      this.setHeader('Authorization', 'Basic ' + Buffer.from(String(options.auth)).toString('base64'));
    }
    if (cb) {
      this.once('response', cb);
    }
    if (options.timeout) {
      this.setTimeout(options.timeout);
    }
    // Node hands the request a socket on the next tick; packages wait for
    // it (stripe writes its body on 'socket'). This one is connected
    // already and carries nothing: fetch makes the connection.
    nextTick(() => {
      if (!this.destroyed) {
        const socket = new Socket();
        socket.remoteAddress = undefined;
        this.socket = this.connection = socket;
        this.emit('socket', socket);
      }
    });
    const signal = options.signal;
    if (signal) {
      if (signal.aborted) {
        nextTick(() => this.destroy(signal.reason));
      } else {
        signal.addEventListener('abort', () => this.destroy(signal.reason));
      }
    }
  }

  setHeader(name, value) {
    if (this.headersSent) {
      throw codeError(Error, 'Cannot set headers after they are sent to the client', 'ERR_HTTP_HEADERS_SENT');
    }
    validateHeaderName(name);
    validateHeaderValue(name, value);
    this[kHeaders].set(name.toLowerCase(), [name, value]);
    return this;
  }
  appendHeader(name, value) {
    const prev = this.getHeader(name);
    if (prev === undefined) {
      return this.setHeader(name, value);
    }
    return this.setHeader(name, [].concat(prev, value));
  }
  getHeader(name) {
    const e = this[kHeaders].get(String(name).toLowerCase());
    return e === undefined ? undefined : e[1];
  }
  getHeaders() {
    const out = Object.create(null);
    for (const [k, [, v]] of this[kHeaders]) {
      out[k] = v;
    }
    return out;
  }
  getHeaderNames() { return Array.from(this[kHeaders].keys()); }
  getRawHeaderNames() { return Array.from(this[kHeaders].values(), (e) => e[0]); }
  hasHeader(name) { return this[kHeaders].has(String(name).toLowerCase()); }
  removeHeader(name) {
    if (this.headersSent) {
      throw codeError(Error, 'Cannot remove headers after they are sent to the client', 'ERR_HTTP_HEADERS_SENT');
    }
    this[kHeaders].delete(String(name).toLowerCase());
  }
  flushHeaders() {}
  setNoDelay() {}
  setSocketKeepAlive() {}
  get writableEnded() { return this[kEnded]; }
  get writableFinished() { return this.finished && this.headersSent; }

  write(chunk, encoding, cb) {
    if (typeof encoding === 'function') {
      cb = encoding;
      encoding = undefined;
    }
    if (this[kEnded]) {
      const err = codeError(Error, 'write after end', 'ERR_STREAM_WRITE_AFTER_END');
      nextTick(() => {
        if (cb) cb(err);
        this.emit('error', err);
      });
      return false;
    }
    if (chunk === null) {
      throw codeError(TypeError, 'May not write null values to stream', 'ERR_STREAM_NULL_VALUES');
    }
    this[kChunks].push(toBuffer(chunk, encoding));
    if (cb) {
      nextTick(cb);
    }
    return true;
  }

  end(chunk, encoding, cb) {
    if (typeof chunk === 'function') {
      cb = chunk;
      chunk = undefined;
    } else if (typeof encoding === 'function') {
      cb = encoding;
      encoding = undefined;
    }
    if (this[kEnded]) {
      return this;
    }
    if (chunk !== undefined && chunk !== null) {
      this.write(chunk, encoding);
    }
    this[kEnded] = true;
    this.writable = false;
    if (cb) {
      this.once('finish', cb);
    }
    if (!this.destroyed) {
      this[kSend]();
    }
    return this;
  }

  setTimeout(ms, cb) {
    if (cb) {
      this.once('timeout', cb);
    }
    this[kTimeout] = Number(ms) || 0;
    if (this.headersSent) {
      this[kArm]();
    }
    return this;
  }

  abort() {
    if (this.aborted) {
      return;
    }
    this.aborted = true;
    nextTick(() => this.emit('abort'));
    this.destroy();
  }

  destroy(err) {
    if (this.destroyed) {
      return this;
    }
    this.destroyed = true;
    if (this[kController]) {
      this[kController].abort();
    }
    this[kArm](true);
    if (this.res && !this.res.complete) {
      this.res.destroy(err);
    }
    nextTick(() => {
      if (err && !this[kDone]) {
        this.emit('error', err);
      }
      this.emit('close');
    });
    return this;
  }

  [kArm](clearOnly) {
    if (this[kTimer] !== null) {
      clearTimeoutFn(this[kTimer]);
      this[kTimer] = null;
    }
    if (!clearOnly && this[kTimeout] > 0 && !this[kDone] && !this.destroyed) {
      this[kTimer] = setTimeoutFn(() => {
        this[kTimer] = null;
        this.emit('timeout');
      }, this[kTimeout]);
    }
  }

  [kSend]() {
    this.headersSent = true;
    if (typeof fetch !== 'function') {
      const err = codeError(Error, 'network access is not available: the engine gives this hook no fetch', 'ERR_NETWORK');
      nextTick(() => this.destroy(err));
      return;
    }
    const controller = new AbortController();
    this[kController] = controller;
    const headers = [];
    for (const [name, value] of this[kHeaders].values()) {
      for (const v of [].concat(value)) {
        headers.push([name, String(v)]);
      }
    }
    let body;
    if (this[kChunks].length > 0 && this.method !== 'GET' && this.method !== 'HEAD') {
      body = Buffer.concat(this[kChunks]);
    }
    this[kChunks] = [];
    this[kArm]();
    nextTick(() => this.emit('finish'));
    fetch(this[kUrl], { method: this.method, headers, body, signal: controller.signal }).then(
      (res) => res.arrayBuffer().then((ab) => {
        if (this.destroyed) {
          return;
        }
        this[kDone] = true;
        this[kArm](true);
        const msg = new IncomingMessage(res, ab, this);
        this.res = msg;
        if (!this.emit('response', msg)) {
          msg.resume();
        }
      }),
      (err) => {
        if (this.destroyed) {
          return;
        }
        this.destroy(networkError(err));
      });
  }
}

const kBody = Symbol('body');
const kPos = Symbol('pos');

// IncomingMessage is a stream.Readable over the response body, which fetch
// has already read whole; it is handed out in chunks of CHUNK bytes.
class IncomingMessage extends Readable {
  constructor(res, ab, req) {
    super();
    this.statusCode = res.status;
    this.statusMessage = res.statusText || STATUS_CODES[res.status] || '';
    this.httpVersion = '1.1';
    this.httpVersionMajor = 1;
    this.httpVersionMinor = 1;
    this.headers = {};
    this.rawHeaders = [];
    this.trailers = {};
    this.rawTrailers = [];
    for (const [k, v] of res.headers) {
      if (k === 'set-cookie') {
        const cookies = res.headers.getSetCookie();
        this.headers[k] = cookies;
        for (const c of cookies) {
          this.rawHeaders.push(k, c);
        }
      } else {
        this.headers[k] = v;
        this.rawHeaders.push(k, v);
      }
    }
    this.url = '';
    this.method = null;
    this.complete = false;
    this.aborted = false;
    this.req = req;
    this.socket = null;
    this.connection = null;
    this[kBody] = Buffer.from(ab);
    this[kPos] = 0;
    this.once('end', () => {
      this.complete = true;
      nextTick(() => {
        if (this.req) {
          this.req.emit('close');
        }
      });
    });
  }
  _read() {
    const body = this[kBody];
    if (this[kPos] >= body.length) {
      this.push(null);
      return;
    }
    const end = Math.min(body.length, this[kPos] + CHUNK);
    const chunk = body.subarray(this[kPos], end);
    this[kPos] = end;
    this.push(chunk);
  }
  _destroy(err, cb) {
    if (!this.complete) {
      this.aborted = true;
    }
    cb(err);
  }
  setTimeout(ms, cb) {
    if (cb) {
      this.once('timeout', cb);
    }
    return this;
  }
}

function request(input, options, cb) {
  const [opts, callback] = normalizeArgs(input, options, cb);
  return new ClientRequest(opts, callback);
}

function get(input, options, cb) {
  const req = request(input, options, cb);
  req.end();
  return req;
}

function unsupported(name) {
  return function () {
    throw codeError(Error, 'http.' + name + ' is not available in hooks: they can make requests, not serve them', 'ERR_FEATURE_UNAVAILABLE_ON_PLATFORM');
  };
}

module.exports = {
  request, get, Agent, globalAgent, ClientRequest, IncomingMessage, STATUS_CODES, METHODS,
  validateHeaderName, validateHeaderValue, maxHeaderSize: 16384,
  createServer: unsupported('createServer'), Server: unsupported('Server'),
};
