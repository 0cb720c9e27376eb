// auth0: the API of node-auth0 2.x, the version hooks declared —
// ManagementClient (a token or client credentials; users, roles) and
// AuthenticationClient (client credentials and password grants, userinfo),
// each method returning a promise or taking a callback. Every request goes
// through the engine's fetch, which paces them by Auth0's rate-limit headers
// and retries 429s. domain is a host name, or a full http(s) URL to reach
// another base URL (a local server in tests).
'use strict';
const globalFetch = host.fetch;

class ArgumentError extends Error {
  constructor(message) {
    super(message);
    this.name = 'ArgumentError';
  }
}

// APIError is the error of a request Auth0 answered with an error status.
class APIError extends Error {
  constructor(name, message, statusCode, requestInfo, originalError) {
    super(message || name);
    this.name = name || 'APIError';
    this.statusCode = statusCode;
    this.requestInfo = requestInfo;
    this.originalError = originalError;
  }
}

function baseURL(domain) {
  if (typeof domain !== 'string' || domain.trim() === '') {
    throw new ArgumentError('Must provide a domain');
  }
  domain = domain.trim().replace(/\/+$/, '');
  return /^https?:\/\//i.test(domain) ? domain : 'https://' + domain;
}

function query(params) {
  if (!params) {
    return '';
  }
  const parts = [];
  for (const k of Object.keys(params)) {
    const v = params[k];
    if (v === undefined || v === null) {
      continue;
    }
    for (const item of Array.isArray(v) ? v : [v]) {
      parts.push(encodeURIComponent(k) + '=' + encodeURIComponent(String(item)));
    }
  }
  return parts.length ? '?' + parts.join('&') : '';
}

function callbackOrPromise(promise, cb) {
  if (typeof cb === 'function') {
    promise.then((data) => cb(null, data), (err) => cb(err));
    return undefined;
  }
  return promise;
}

// send makes one request and parses the JSON answer; an error status
// rejects with an APIError named after the body's error.
function send(method, url, token, body) {
  if (typeof globalFetch !== 'function') {
    return Promise.reject(new Error('network access is not available: the engine gives this hook no fetch'));
  }
  const headers = { Accept: 'application/json' };
  if (token) {
    headers.Authorization = 'Bearer ' + token;
  }
  const init = { method, headers };
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const requestInfo = { method: method.toLowerCase(), url };
  return globalFetch(url, init).then((res) => res.text().then((text) => {
    let data = text;
    if (text !== '') {
      try {
        data = JSON.parse(text);
      } catch (e) {
        // not JSON: keep the text
      }
    } else {
      data = undefined;
    }
    if (!res.ok) {
      const b = data && typeof data === 'object' ? data : {};
      const name = b.error || res.statusText || 'Error';
      const message = b.message || b.error_description || b.error || (typeof data === 'string' && data) || res.statusText;
      const err = new APIError(name, message, res.status, requestInfo, { status: res.status, response: { body: data, header: Object.fromEntries(res.headers) } });
      if (b.errorCode) {
        err.errorCode = b.errorCode;
      }
      throw err;
    }
    return data;
  }));
}

function requireId(params) {
  if (params === null || params === undefined || typeof params !== 'object') {
    throw new ArgumentError('The params object must be provided');
  }
  if (params.id === null || params.id === undefined || params.id === '') {
    throw new ArgumentError('The user_id cannot be null or undefined');
  }
  return encodeURIComponent(String(params.id));
}

// attempt runs fn, turning a synchronous throw (a bad argument) into the
// callback's error or a rejected promise.
function attempt(cb, fn) {
  let p;
  try {
    p = fn();
  } catch (err) {
    p = Promise.reject(err);
  }
  return callbackOrPromise(p, cb);
}

class AuthenticationClient {
  constructor(options) {
    if (!options || typeof options !== 'object') {
      throw new ArgumentError('Authentication Client SDK options must be an object');
    }
    this.baseUrl = baseURL(options.domain);
    this.domain = options.domain;
    this.clientId = options.clientId;
    this.clientSecret = options.clientSecret;
    this.oauth = {
      clientCredentialsGrant: (o, cb) => this.clientCredentialsGrant(o, cb),
      passwordGrant: (o, cb) => this.passwordGrant(o, cb),
    };
  }
  clientCredentialsGrant(options, cb) {
    if (typeof options === 'function') {
      cb = options;
      options = {};
    }
    return attempt(cb, () => {
      options = options || {};
      if (!options.audience) {
        throw new ArgumentError('Missing audience parameter');
      }
      const clientId = options.client_id || this.clientId;
      const clientSecret = options.client_secret || this.clientSecret;
      if (!clientId) {
        throw new ArgumentError('Missing client ID');
      }
      if (!clientSecret) {
        throw new ArgumentError('Missing client secret');
      }
      const body = { grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret, audience: options.audience };
      if (options.scope) {
        body.scope = options.scope;
      }
      return send('POST', this.baseUrl + '/oauth/token', null, body);
    });
  }
  passwordGrant(options, cb) {
    return attempt(cb, () => {
      options = options || {};
      if (!options.username) {
        throw new ArgumentError('Missing username');
      }
      if (!options.password) {
        throw new ArgumentError('Missing password');
      }
      const body = {
        grant_type: options.realm ? 'http://auth0.com/oauth/grant-type/password-realm' : 'password',
        username: options.username, password: options.password,
        client_id: options.client_id || this.clientId,
      };
      if (this.clientSecret || options.client_secret) {
        body.client_secret = options.client_secret || this.clientSecret;
      }
      for (const k of ['realm', 'audience', 'scope']) {
        if (options[k]) {
          body[k] = options[k];
        }
      }
      return send('POST', this.baseUrl + '/oauth/token', null, body);
    });
  }
  getProfile(accessToken, cb) {
    return attempt(cb, () => {
      if (!accessToken) {
        throw new ArgumentError('An access token is required');
      }
      return send('GET', this.baseUrl + '/userinfo', accessToken);
    });
  }
}

class ManagementClient {
  constructor(options) {
    if (!options || typeof options !== 'object') {
      throw new ArgumentError('Management API SDK options must be an object');
    }
    this.baseUrl = baseURL(options.domain);
    this.domain = options.domain;
    const audience = options.audience || this.baseUrl + '/api/v2/';
    if (options.token) {
      this._token = () => Promise.resolve(options.token);
    } else {
      if (!options.clientId || !options.clientSecret) {
        throw new ArgumentError('Must provide a token, or a clientId and a clientSecret');
      }
      const auth = new AuthenticationClient({ domain: options.domain, clientId: options.clientId, clientSecret: options.clientSecret });
      const provider = options.tokenProvider || {};
      const useCache = provider.enableCache !== false;
      let cached = null;
      let expires = 0;
      let inflight = null;
      this._token = () => {
        if (useCache && cached !== null && Date.now() < expires) {
          return Promise.resolve(cached);
        }
        if (inflight) {
          return inflight;
        }
        inflight = auth.clientCredentialsGrant({ audience, scope: options.scope }).then((data) => {
          inflight = null;
          if (!data || !data.access_token) {
            throw new APIError('access_denied', 'The token endpoint answered no access_token', 200, { method: 'post', url: auth.baseUrl + '/oauth/token' });
          }
          cached = data.access_token;
          const ttl = provider.cacheTTLInSeconds || data.expires_in || 0;
          // Renew a little before the token expires.
          expires = Date.now() + Math.max(0, ttl * 1000 - 10000);
          return cached;
        }, (err) => {
          inflight = null;
          throw err;
        });
        return inflight;
      };
    }
    const self = this;
    this.users = {
      getAll: (params, cb) => self.getUsers(params, cb),
      get: (params, cb) => self.getUser(params, cb),
      getByEmail: (email, options, cb) => self.getUsersByEmail(email, options, cb),
      create: (data, cb) => self.createUser(data, cb),
      update: (params, data, cb) => self.updateUser(params, data, cb),
      delete: (params, cb) => self.deleteUser(params, cb),
      updateUserMetadata: (params, metadata, cb) => self.updateUserMetadata(params, metadata, cb),
      updateAppMetadata: (params, metadata, cb) => self.updateAppMetadata(params, metadata, cb),
      getRoles: (params, cb) => self.getUserRoles(params, cb),
      assignRoles: (params, data, cb) => self.assignRolestoUser(params, data, cb),
      removeRoles: (params, data, cb) => self.removeRolesFromUser(params, data, cb),
    };
  }
  _api(method, path, body) {
    return this._token().then((token) => send(method, this.baseUrl + '/api/v2' + path, token, body));
  }
  getAccessToken(cb) {
    return attempt(cb, () => this._token());
  }
  getUsers(params, cb) {
    if (typeof params === 'function') {
      cb = params;
      params = {};
    }
    return attempt(cb, () => this._api('GET', '/users' + query(params)));
  }
  getUser(params, cb) {
    return attempt(cb, () => this._api('GET', '/users/' + requireId(params) + query(Object.assign({}, params, { id: undefined }))));
  }
  getUsersByEmail(email, options, cb) {
    if (typeof options === 'function') {
      cb = options;
      options = {};
    }
    return attempt(cb, () => {
      if (typeof email !== 'string' || email === '') {
        throw new ArgumentError('An email address is required');
      }
      return this._api('GET', '/users-by-email' + query(Object.assign({}, options, { email })));
    });
  }
  createUser(data, cb) {
    return attempt(cb, () => {
      if (!data || typeof data !== 'object') {
        throw new ArgumentError('The user data object must be provided');
      }
      return this._api('POST', '/users', data);
    });
  }
  updateUser(params, data, cb) {
    return attempt(cb, () => this._api('PATCH', '/users/' + requireId(params), data));
  }
  updateUserMetadata(params, metadata, cb) {
    return attempt(cb, () => this._api('PATCH', '/users/' + requireId(params), { user_metadata: metadata }));
  }
  updateAppMetadata(params, metadata, cb) {
    return attempt(cb, () => this._api('PATCH', '/users/' + requireId(params), { app_metadata: metadata }));
  }
  deleteUser(params, cb) {
    return attempt(cb, () => this._api('DELETE', '/users/' + requireId(params)));
  }
  getUserRoles(params, cb) {
    return attempt(cb, () => this._api('GET', '/users/' + requireId(params) + '/roles' + query(Object.assign({}, params, { id: undefined }))));
  }
  assignRolestoUser(params, data, cb) {
    return attempt(cb, () => this._api('POST', '/users/' + requireId(params) + '/roles', data));
  }
  removeRolesFromUser(params, data, cb) {
    return attempt(cb, () => this._api('DELETE', '/users/' + requireId(params) + '/roles', data));
  }
}

module.exports = { ManagementClient, AuthenticationClient, ArgumentError, APIError };
