// axios: the documented API of axios (0.27 where versions differ) on top of
// the engine's fetch — callable instances, request aliases, create(),
// defaults, interceptors, params, JSON data, timeout, baseURL,
// validateStatus, cancellation, and AxiosError with response and
// isAxiosError.
'use strict';
const { Buffer } = require('buffer');
const globalFetch = host.fetch;
const setTimeoutFn = setTimeout;
const clearTimeoutFn = clearTimeout;

const toString = Object.prototype.toString;
function isPlainObject(v) {
  if (v === null || typeof v !== 'object' || toString.call(v) !== '[object Object]') {
    return false;
  }
  const proto = Object.getPrototypeOf(v);
  return proto === null || proto === Object.prototype;
}
function isURLSearchParams(v) {
  return typeof URLSearchParams === 'function' && v instanceof URLSearchParams;
}
function isBinary(v) {
  return v instanceof ArrayBuffer || ArrayBuffer.isView(v);
}

class AxiosError extends Error {
  constructor(message, code, config, request, response) {
    super(message);
    this.name = 'AxiosError';
    this.isAxiosError = true;
    if (code) {
      this.code = code;
    }
    if (config) {
      this.config = config;
    }
    if (request) {
      this.request = request;
    }
    if (response) {
      this.response = response;
      this.status = response.status;
    }
  }
  toJSON() {
    return {
      message: this.message, name: this.name, code: this.code,
      status: this.response && this.response.status ? this.response.status : null,
      config: this.config,
    };
  }
  static from(error, code, config, request, response, props) {
    const e = new AxiosError(error && error.message, code || (error && error.code), config, request, response);
    e.cause = error;
    if (error && error.name) {
      e.name = error.name === 'AxiosError' ? 'AxiosError' : e.name;
    }
    Object.assign(e, props);
    return e;
  }
}
for (const code of ['ERR_BAD_OPTION_VALUE', 'ERR_BAD_OPTION', 'ECONNABORTED', 'ETIMEDOUT', 'ERR_NETWORK', 'ERR_FR_TOO_MANY_REDIRECTS',
  'ERR_DEPRECATED', 'ERR_BAD_RESPONSE', 'ERR_BAD_REQUEST', 'ERR_CANCELED', 'ERR_NOT_SUPPORT', 'ERR_INVALID_URL']) {
  AxiosError[code] = code;
}

class CanceledError extends AxiosError {
  constructor(message, config, request) {
    super(message === undefined || message === null ? 'canceled' : message, 'ERR_CANCELED', config, request);
    this.name = 'CanceledError';
    this.__CANCEL__ = true;
  }
}

function isCancel(value) {
  return Boolean(value && value.__CANCEL__);
}

class CancelToken {
  constructor(executor) {
    if (typeof executor !== 'function') {
      throw new TypeError('executor must be a function.');
    }
    this.listeners = [];
    this.reason = undefined;
    this.promise = new Promise((resolve) => {
      this.resolve = resolve;
    });
    executor((message, config, request) => {
      if (this.reason) {
        return;
      }
      this.reason = new CanceledError(message, config, request);
      this.resolve(this.reason);
      for (const l of this.listeners.splice(0)) {
        l(this.reason);
      }
    });
  }
  throwIfRequested() {
    if (this.reason) {
      throw this.reason;
    }
  }
  subscribe(listener) {
    if (this.reason) {
      listener(this.reason);
    } else {
      this.listeners.push(listener);
    }
  }
  unsubscribe(listener) {
    const i = this.listeners.indexOf(listener);
    if (i >= 0) {
      this.listeners.splice(i, 1);
    }
  }
  static source() {
    let cancel;
    const token = new CancelToken((c) => {
      cancel = c;
    });
    return { token, cancel };
  }
}

const METHOD_KEYS = ['delete', 'get', 'head', 'post', 'put', 'patch', 'options', 'purge', 'link', 'unlink', 'common'];

function findKey(obj, name) {
  const lower = name.toLowerCase();
  for (const k of Object.keys(obj)) {
    if (k.toLowerCase() === lower) {
      return k;
    }
  }
  return undefined;
}

function setHeader(obj, name, value) {
  const k = findKey(obj, name);
  if (k !== undefined) {
    delete obj[k];
  }
  obj[name] = value;
}

function getHeader(obj, name) {
  const k = findKey(obj, name);
  return k === undefined ? undefined : obj[k];
}

function mergeHeaderObjects(a, b) {
  const out = {};
  for (const src of [a, b]) {
    if (!src) {
      continue;
    }
    for (const k of Object.keys(src)) {
      const v = src[k];
      if (METHOD_KEYS.includes(k.toLowerCase()) && (isPlainObject(v) || v === undefined)) {
        const key = k.toLowerCase();
        out[key] = mergeHeaderObjects(out[key], v);
      } else {
        setHeader(out, k, v);
      }
    }
  }
  return out;
}

function deepMerge(a, b) {
  if (isPlainObject(a) && isPlainObject(b)) {
    const out = {};
    for (const k of Object.keys(a)) {
      out[k] = deepMerge(undefined, a[k]);
    }
    for (const k of Object.keys(b)) {
      out[k] = deepMerge(out[k], b[k]);
    }
    return out;
  }
  if (isPlainObject(b)) {
    return deepMerge({}, b);
  }
  if (Array.isArray(b)) {
    return b.slice();
  }
  return b === undefined ? a : b;
}

// mergeConfig merges two configs as axios does: url, method and data come
// from the second only, headers and plain objects merge deeply, the rest
// takes the second's value when it is defined.
function mergeConfig(config1, config2) {
  config1 = config1 || {};
  config2 = config2 || {};
  const out = {};
  const keys = new Set(Object.keys(config1).concat(Object.keys(config2)));
  for (const k of keys) {
    if (k === 'url' || k === 'method' || k === 'data') {
      if (config2[k] !== undefined) {
        out[k] = config2[k];
      }
    } else if (k === 'headers') {
      out.headers = mergeHeaderObjects(config1.headers, config2.headers);
    } else if (k === 'validateStatus') {
      out[k] = k in config2 ? config2[k] : config1[k];
    } else {
      const v = deepMerge(config1[k], config2[k]);
      if (v !== undefined) {
        out[k] = v;
      }
    }
  }
  return out;
}

function encode(val) {
  return encodeURIComponent(val).replace(/%3A/gi, ':').replace(/%24/g, '$').replace(/%2C/gi, ',')
    .replace(/%20/g, '+').replace(/%5B/gi, '[').replace(/%5D/gi, ']');
}

function serializeParams(params, serializer) {
  if (typeof serializer === 'function') {
    return serializer(params);
  }
  if (serializer && typeof serializer.serialize === 'function') {
    return serializer.serialize(params, serializer);
  }
  if (isURLSearchParams(params)) {
    return params.toString();
  }
  const parts = [];
  for (const key of Object.keys(params)) {
    let val = params[key];
    if (val === null || val === undefined) {
      continue;
    }
    let k = key;
    if (Array.isArray(val)) {
      k = key + '[]';
    } else {
      val = [val];
    }
    for (let v of val) {
      if (v instanceof Date) {
        v = v.toISOString();
      } else if (v !== null && typeof v === 'object') {
        v = JSON.stringify(v);
      }
      parts.push(encode(k) + '=' + encode(v));
    }
  }
  return parts.join('&');
}

function buildURL(url, params, serializer) {
  if (!params) {
    return url;
  }
  const query = serializeParams(params, serializer);
  if (!query) {
    return url;
  }
  const hash = url.indexOf('#');
  if (hash >= 0) {
    url = url.slice(0, hash);
  }
  return url + (url.indexOf('?') === -1 ? '?' : '&') + query;
}

function isAbsoluteURL(url) {
  return /^([a-z][a-z\d+\-.]*:)?\/\//i.test(url);
}

function buildFullPath(baseURL, url) {
  url = url === undefined || url === null ? '' : String(url);
  if (baseURL && !isAbsoluteURL(url)) {
    return url ? String(baseURL).replace(/\/?\/$/, '') + '/' + url.replace(/^\/+/, '') : String(baseURL);
  }
  return url;
}

function defaultTransformRequest(data, headers) {
  if (data === undefined || data === null) {
    return data;
  }
  if (isURLSearchParams(data)) {
    if (getHeader(headers, 'Content-Type') === undefined) {
      setHeader(headers, 'Content-Type', 'application/x-www-form-urlencoded;charset=utf-8');
    }
    return data.toString();
  }
  if (typeof data === 'string' || isBinary(data)) {
    return data;
  }
  if (typeof data === 'object') {
    const ct = getHeader(headers, 'Content-Type');
    if (ct === undefined || ct === null) {
      setHeader(headers, 'Content-Type', 'application/json');
    }
    return JSON.stringify(data);
  }
  return data;
}

function defaultTransformResponse(data) {
  const transitional = this.transitional || defaults.transitional;
  const forced = transitional && transitional.forcedJSONParsing;
  const requested = this.responseType === 'json';
  if (data && typeof data === 'string' && ((forced && !this.responseType) || requested)) {
    try {
      return JSON.parse(data);
    } catch (e) {
      if (requested && !(transitional && transitional.silentJSONParsing)) {
        throw AxiosError.from(e, 'ERR_BAD_RESPONSE', this, null, this.response);
      }
    }
  }
  return data;
}

function transformData(fns, config, data, headers, status) {
  for (const fn of [].concat(fns || [])) {
    if (typeof fn === 'function') {
      data = fn.call(config, data, headers, status);
    }
  }
  return data;
}

const defaults = {
  transitional: { silentJSONParsing: true, forcedJSONParsing: true, clarifyTimeoutError: false },
  transformRequest: [defaultTransformRequest],
  transformResponse: [defaultTransformResponse],
  timeout: 0,
  xsrfCookieName: 'XSRF-TOKEN',
  xsrfHeaderName: 'X-XSRF-TOKEN',
  maxContentLength: -1,
  maxBodyLength: -1,
  validateStatus: function validateStatus(status) {
    return status >= 200 && status < 300;
  },
  headers: {
    common: { Accept: 'application/json, text/plain, */*' },
    delete: {}, get: {}, head: {}, options: {},
    post: { 'Content-Type': 'application/x-www-form-urlencoded' },
    put: { 'Content-Type': 'application/x-www-form-urlencoded' },
    patch: { 'Content-Type': 'application/x-www-form-urlencoded' },
  },
};

// flattenHeaders applies the common and per-method defaults under the
// request's own headers, dropping unset ones.
function flattenHeaders(headers, method) {
  headers = headers || {};
  const out = {};
  const layers = [headers.common, headers[method]];
  const own = {};
  for (const k of Object.keys(headers)) {
    if (!METHOD_KEYS.includes(k.toLowerCase())) {
      own[k] = headers[k];
    }
  }
  layers.push(own);
  for (const layer of layers) {
    if (!layer) {
      continue;
    }
    for (const k of Object.keys(layer)) {
      setHeader(out, k, layer[k]);
    }
  }
  for (const k of Object.keys(out)) {
    if (out[k] === undefined || out[k] === null || out[k] === false) {
      delete out[k];
    }
  }
  return out;
}

function responseHeaders(h) {
  const out = {};
  for (const [k, v] of h) {
    out[k] = k === 'set-cookie' ? h.getSetCookie() : v;
  }
  return out;
}

function dispatchRequest(config) {
  if (config.cancelToken) {
    config.cancelToken.throwIfRequested();
  }
  if (config.signal && config.signal.aborted) {
    throw new CanceledError(null, config);
  }
  const method = config.method;
  // transformRequest sees the request's own headers, so a Content-Type it
  // sets wins over the per-method defaults, as in axios.
  const own = Object.assign({}, config.headers);
  let data = transformData(config.transformRequest, config, config.data, own);
  const headers = flattenHeaders(own, method);
  if (config.auth) {
    const user = config.auth.username || '';
    const pass = config.auth.password || '';
    setHeader(headers, 'Authorization', 'Basic ' + Buffer.from(user + ':' + pass).toString('base64'));
  }
  const fullPath = buildFullPath(config.baseURL, config.url);
  const url = buildURL(fullPath, config.params, config.paramsSerializer);
  let parsed;
  try {
    parsed = new URL(url);
  } catch (e) {
    return Promise.reject(new AxiosError('Invalid URL', 'ERR_INVALID_URL', config));
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    return Promise.reject(new AxiosError('Unsupported protocol ' + parsed.protocol, 'ERR_BAD_REQUEST', config));
  }
  const request = { method: method.toUpperCase(), url, path: parsed.pathname + parsed.search, host: parsed.hostname, protocol: parsed.protocol };
  if (config.responseType === 'stream') {
    return Promise.reject(new AxiosError('responseType "stream" is not supported in hooks', 'ERR_NOT_SUPPORT', config, request));
  }
  if (typeof globalFetch !== 'function') {
    return Promise.reject(new AxiosError('network access is not available: the engine gives this hook no fetch', 'ERR_NETWORK', config, request));
  }
  const upper = method.toUpperCase();
  if (upper === 'GET' || upper === 'HEAD') {
    data = undefined;
  }
  if (typeof data === 'string' && getHeader(headers, 'Content-Type') === undefined) {
    data = Buffer.from(data); // sent without a Content-Type, as axios does
  }
  const pairs = [];
  for (const k of Object.keys(headers)) {
    pairs.push([k, String(headers[k])]);
  }
  return new Promise((resolve, reject) => {
    const controller = new AbortController();
    let timer = null;
    let settled = false;
    let onCancel = null;
    const finish = () => {
      settled = true;
      if (timer !== null) {
        clearTimeoutFn(timer);
        timer = null;
      }
      if (config.cancelToken && onCancel) {
        config.cancelToken.unsubscribe(onCancel);
      }
      if (config.signal && onCancel) {
        config.signal.removeEventListener('abort', onCancel);
      }
    };
    const fail = (err) => {
      if (!settled) {
        finish();
        controller.abort();
        reject(err);
      }
    };
    if (config.timeout > 0) {
      timer = setTimeoutFn(() => {
        const transitional = config.transitional || defaults.transitional;
        const msg = config.timeoutErrorMessage || 'timeout of ' + config.timeout + 'ms exceeded';
        fail(new AxiosError(msg, transitional && transitional.clarifyTimeoutError ? 'ETIMEDOUT' : 'ECONNABORTED', config, request));
      }, config.timeout);
    }
    if (config.cancelToken || config.signal) {
      onCancel = (reason) => {
        fail(reason && reason.__CANCEL__ ? reason : new CanceledError(null, config, request));
      };
      if (config.cancelToken) {
        config.cancelToken.subscribe(onCancel);
      }
      if (config.signal) {
        config.signal.addEventListener('abort', onCancel);
      }
    }
    globalFetch(url, { method: upper, headers: pairs, body: data, signal: controller.signal }).then((res) => {
      const type = config.responseType;
      const body = type === 'arraybuffer' || type === 'blob' ? res.arrayBuffer().then((ab) => Buffer.from(ab)) : res.text();
      return body.then((raw) => {
        if (settled) {
          return;
        }
        finish();
        const response = {
          data: raw, status: res.status, statusText: res.statusText, headers: responseHeaders(res.headers), config, request,
        };
        try {
          response.data = transformData(config.transformResponse, Object.assign(Object.create(config), { response }),
            raw, response.headers, response.status);
        } catch (e) {
          reject(e);
          return;
        }
        const validate = config.validateStatus;
        if (!response.status || !validate || validate(response.status)) {
          resolve(response);
          return;
        }
        const code = response.status >= 500 ? 'ERR_BAD_RESPONSE' : 'ERR_BAD_REQUEST';
        reject(new AxiosError('Request failed with status code ' + response.status, code, config, request, response));
      });
    }).catch((err) => {
      if (settled) {
        return;
      }
      let e;
      if (err && err.name === 'RateLimitError') {
        e = new AxiosError(err.message, 'ERR_RATE_LIMITED', config, request);
      } else if (err && err.name === 'FetchLimitError') {
        e = new AxiosError(err.message, 'ERR_FETCH_LIMIT', config, request);
      } else {
        const cause = err && err.cause;
        const message = cause && cause.message ? cause.message : String(err && err.message);
        e = new AxiosError(message, err && err.code && err.code !== 'ERR_NETWORK' ? err.code : 'ERR_NETWORK', config, request);
        if (cause) {
          // What Node's system errors carry, as axios copies it.
          for (const k of ['errno', 'syscall', 'hostname', 'address', 'port']) {
            if (cause[k] !== undefined) e[k] = cause[k];
          }
        }
      }
      e.cause = err;
      fail(e);
    });
  });
}

class InterceptorManager {
  constructor() {
    this.handlers = [];
  }
  use(fulfilled, rejected, options) {
    this.handlers.push({ fulfilled, rejected, synchronous: Boolean(options && options.synchronous), runWhen: options ? options.runWhen : null });
    return this.handlers.length - 1;
  }
  eject(id) {
    if (this.handlers[id]) {
      this.handlers[id] = null;
    }
  }
  clear() {
    this.handlers = [];
  }
  forEach(fn) {
    for (const h of this.handlers) {
      if (h !== null) {
        fn(h);
      }
    }
  }
}

class Axios {
  constructor(instanceConfig) {
    this.defaults = instanceConfig;
    this.interceptors = { request: new InterceptorManager(), response: new InterceptorManager() };
  }
  request(configOrUrl, config) {
    if (typeof configOrUrl === 'string') {
      config = Object.assign({}, config, { url: configOrUrl });
    } else {
      config = configOrUrl || {};
    }
    config = mergeConfig(this.defaults, config);
    config.method = String(config.method || (this.defaults && this.defaults.method) || 'get').toLowerCase();
    const before = [];
    this.interceptors.request.forEach((h) => {
      if (typeof h.runWhen === 'function' && h.runWhen(config) === false) {
        return;
      }
      before.unshift(h);
    });
    const after = [];
    this.interceptors.response.forEach((h) => after.push(h));
    let promise = Promise.resolve(config);
    for (const h of before) {
      promise = promise.then(h.fulfilled, h.rejected);
    }
    promise = promise.then(dispatchRequest);
    for (const h of after) {
      promise = promise.then(h.fulfilled, h.rejected);
    }
    return promise;
  }
  getUri(config) {
    config = mergeConfig(this.defaults, config);
    return buildURL(buildFullPath(config.baseURL, config.url), config.params, config.paramsSerializer);
  }
}
for (const method of ['delete', 'get', 'head', 'options']) {
  Axios.prototype[method] = function (url, config) {
    return this.request(mergeConfig(config || {}, { method, url, data: (config || {}).data }));
  };
}
for (const method of ['post', 'put', 'patch']) {
  Axios.prototype[method] = function (url, data, config) {
    return this.request(mergeConfig(config || {}, { method, url, data }));
  };
}

function createInstance(defaultConfig) {
  const context = new Axios(defaultConfig);
  const instance = function axios(configOrUrl, config) {
    return context.request(configOrUrl, config);
  };
  for (const name of Object.getOwnPropertyNames(Axios.prototype)) {
    if (name !== 'constructor') {
      instance[name] = Axios.prototype[name].bind(context);
    }
  }
  instance.defaults = context.defaults;
  instance.interceptors = context.interceptors;
  instance.create = function create(instanceConfig) {
    return createInstance(mergeConfig(defaultConfig, instanceConfig));
  };
  return instance;
}

const axios = createInstance(defaults);
axios.Axios = Axios;
axios.AxiosError = AxiosError;
axios.CanceledError = CanceledError;
axios.Cancel = CanceledError;
axios.CancelToken = CancelToken;
axios.isCancel = isCancel;
axios.isAxiosError = function isAxiosError(payload) {
  return payload !== null && typeof payload === 'object' && payload.isAxiosError === true;
};
axios.all = function all(promises) {
  return Promise.all(promises);
};
axios.spread = function spread(callback) {
  return function wrap(arr) {
    return callback.apply(null, arr);
  };
};
axios.mergeConfig = mergeConfig;
axios.default = axios;
module.exports = axios;
