// url: the WHATWG URL API (goja_nodejs's, passed as native) and Node's
// legacy API: parse, format, resolve, Url, fileURLToPath, pathToFileURL.
'use strict';
// querystring is loaded on the first legacy call: the URL global comes
// from this module, and most hooks use only that.
let qs = null;
const querystring = {
  parse: (s) => (qs || (qs = require('querystring'))).parse(s),
  stringify: (o) => (qs || (qs = require('querystring'))).stringify(o),
};

const slashed = new Set(['http:', 'https:', 'ftp:', 'gopher:', 'file:', 'ws:', 'wss:']);

function Url() {
  this.protocol = null;
  this.slashes = null;
  this.auth = null;
  this.host = null;
  this.port = null;
  this.hostname = null;
  this.hash = null;
  this.search = null;
  this.query = null;
  this.pathname = null;
  this.path = null;
  this.href = null;
}

Url.prototype.parse = function parse(str, parseQueryString, slashesDenoteHost) {
  if (typeof str !== 'string') {
    const err = new TypeError('The "url" argument must be of type string. Received ' + (str === null ? 'null' : typeof str));
    err.code = 'ERR_INVALID_ARG_TYPE';
    throw err;
  }
  let rest = str.trim().replace(/\\/g, '/');
  const h = rest.indexOf('#');
  if (h >= 0) {
    this.hash = rest.slice(h);
    rest = rest.slice(0, h);
  }
  const q = rest.indexOf('?');
  if (q >= 0) {
    this.search = rest.slice(q);
    this.query = rest.slice(q + 1);
    rest = rest.slice(0, q);
  } else if (parseQueryString) {
    this.search = '';
    this.query = {};
  }
  if (parseQueryString && typeof this.query === 'string') {
    this.query = querystring.parse(this.query);
  }
  const proto = /^[a-zA-Z][a-zA-Z0-9+.-]*:/.exec(rest);
  if (proto) {
    this.protocol = proto[0].toLowerCase();
    rest = rest.slice(proto[0].length);
  }
  if (rest.startsWith('//') && (proto ? this.protocol !== 'javascript:' : slashesDenoteHost)) {
    this.slashes = true;
    rest = rest.slice(2);
    let end = rest.indexOf('/');
    if (end < 0) end = rest.length;
    let authority = rest.slice(0, end);
    rest = rest.slice(end);
    const at = authority.lastIndexOf('@');
    if (at >= 0) {
      this.auth = decodeURIComponent(authority.slice(0, at));
      authority = authority.slice(at + 1);
    }
    const port = /:(\d*)$/.exec(authority);
    if (port) {
      if (port[1] !== '') this.port = port[1];
      authority = authority.slice(0, authority.length - port[0].length);
    }
    this.hostname = authority.toLowerCase();
    if (this.hostname.startsWith('[') && this.hostname.endsWith(']')) {
      this.hostname = this.hostname.slice(1, -1);
    }
    this.host = (authority.startsWith('[') ? '[' + this.hostname + ']' : this.hostname) + (this.port ? ':' + this.port : '');
  }
  this.pathname = rest !== '' ? rest : (this.slashes && slashed.has(this.protocol) ? '/' : null);
  if (this.pathname !== null || this.search !== null) {
    this.path = (this.pathname || '') + (this.search || '');
  }
  this.href = this.format();
  return this;
};

Url.prototype.format = function format() {
  let auth = this.auth ? encodeURIComponent(this.auth).replace(/%3A/i, ':') + '@' : '';
  const protocol = this.protocol ? (this.protocol.endsWith(':') ? this.protocol : this.protocol + ':') : '';
  let host = '';
  if (this.host) {
    host = auth + this.host;
  } else if (this.hostname) {
    const hn = this.hostname.indexOf(':') >= 0 && !this.hostname.startsWith('[') ? '[' + this.hostname + ']' : this.hostname;
    host = auth + hn + (this.port ? ':' + this.port : '');
  }
  let pathname = this.pathname || '';
  let search = this.search || '';
  if (!search && this.query && typeof this.query === 'object' && Object.keys(this.query).length) {
    search = '?' + querystring.stringify(this.query);
  }
  if (search && search[0] !== '?') search = '?' + search;
  let hash = this.hash || '';
  if (hash && hash[0] !== '#') hash = '#' + hash;
  let slashes = '';
  if (this.slashes || slashed.has(protocol)) {
    if (this.slashes || host) {
      slashes = '//';
      if (pathname && pathname[0] !== '/') pathname = '/' + pathname;
    }
  }
  pathname = pathname.replace(/[?#]/g, encodeURIComponent);
  search = search.replace('#', '%23');
  return protocol + slashes + host + pathname + search + hash;
};

Url.prototype.resolve = function resolve(relative) {
  return urlResolve(this.format(), relative);
};

function urlParse(str, parseQueryString, slashesDenoteHost) {
  if (str instanceof Url) return str;
  return new Url().parse(str, parseQueryString, slashesDenoteHost);
}

function urlFormat(obj, options) {
  if (typeof obj === 'string') obj = urlParse(obj);
  else if (native.URL && obj instanceof native.URL) {
    if (options && (options.auth === false || options.search === false || options.fragment === false)) {
      const u = new native.URL(obj.href);
      if (options.auth === false) { u.username = ''; u.password = ''; }
      if (options.search === false) u.search = '';
      if (options.fragment === false) u.hash = '';
      return u.href;
    }
    return obj.href;
  }
  if (typeof obj !== 'object' || obj === null) {
    const err = new TypeError('The "urlObject" argument must be one of type object or string. Received ' + (obj === null ? 'null' : typeof obj));
    err.code = 'ERR_INVALID_ARG_TYPE';
    throw err;
  }
  return Url.prototype.format.call(obj);
}

function urlResolve(from, to) {
  const resolved = new native.URL(to, new native.URL(from, 'resolve://'));
  if (resolved.protocol === 'resolve:') {
    return resolved.pathname + resolved.search + resolved.hash;
  }
  return resolved.toString();
}

function fileURLToPath(u) {
  const url = typeof u === 'string' ? new native.URL(u) : u;
  if (url.protocol !== 'file:') {
    const err = new TypeError('The URL must be of scheme file');
    err.code = 'ERR_INVALID_URL_SCHEME';
    throw err;
  }
  return decodeURIComponent(url.pathname);
}

function pathToFileURL(p) {
  return new native.URL('file://' + encodeURI(require('path').resolve('/', p)).replace(/[?#]/g, encodeURIComponent));
}

module.exports = Object.assign({}, native, {
  Url, parse: urlParse, format: urlFormat, resolve: urlResolve, resolveObject: (from, to) => urlParse(urlResolve(from, to)),
  fileURLToPath, pathToFileURL,
});
