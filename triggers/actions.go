package triggers

import (
	"fmt"
	"math"
	"time"

	"github.com/dop251/goja"
)

// actionSource turns an Action handler into a Hooks-form hook function. The
// function it returns takes the point's Hooks arguments (as Args built
// them, context.webtask included) and the callback, builds the event and api
// objects Auth0's Actions documentation describes for the point, calls the
// handler, and once the handler has returned (or its promise resolved)
// calls back with the result the same logic would give in the Hooks form:
// the same envelope, so the same Outcome. A handler that throws, or whose
// promise rejects, ends the run as a hook that throws does.
//
// Values the input lacks are left out of event, except the objects scripts
// read without checking (event.request.geoip, event.user.user_metadata,
// ...), which are empty objects then. The input is parsed afresh for every
// run and only event refers to it, so event shares its objects rather than
// copying them; the metadata the api setters merge into are copies taken
// before the handler runs, so changes a script makes to event itself do not
// count, as on Auth0.
var actionSource = goja.MustCompile("hookengine:actions", `(function (point, handler, classes, cacheGet, cacheSet, cacheDelete) {
  'use strict';
  const isObj = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
  const clone = (v) => (v === undefined ? undefined : JSON.parse(JSON.stringify(v)));
  const pick = (src, out, names) => {
    if (!isObj(src)) return out;
    for (const n of names) if (src[n] !== undefined) out[n] = src[n];
    return out;
  };
  const cache = Object.freeze({
    get: (key) => cacheGet(key),
    set: (key, value, options) => cacheSet(key, value, options),
    delete: (key) => cacheDelete(key),
  });
  function request(r, language) {
    const out = pick(r, {}, ['ip', 'hostname', 'language', 'user_agent', 'method']);
    if (out.language === undefined && typeof language === 'string') out.language = language;
    if (out.method === undefined) out.method = 'POST';
    out.geoip = isObj(r) && isObj(r.geoip) ? r.geoip : {};
    if (isObj(r) && isObj(r.body)) out.body = r.body;
    return out;
  }
  function client(c, metadataName) {
    if (!isObj(c)) return undefined;
    const out = {};
    if (c.client_id !== undefined) out.client_id = c.client_id;
    else if (c.id !== undefined) out.client_id = c.id;
    if (c.name !== undefined) out.name = c.name;
    out.metadata = isObj(c[metadataName]) ? c[metadataName] : (isObj(c.metadata) ? c.metadata : {});
    return out;
  }
  function connection(c) {
    const out = pick(c, {}, ['id', 'name', 'strategy', 'metadata']);
    if (out.strategy === undefined) out.strategy = 'auth0';
    return out;
  }
  const profile = ['email', 'email_verified', 'username', 'name', 'given_name', 'family_name', 'nickname',
    'picture', 'phone_number', 'phone_verified', 'created_at', 'updated_at', 'last_password_reset', 'user_id', 'identities'];
  function user(u, withId, withMetadata) {
    const out = pick(u, {}, profile);
    if (isObj(u)) {
      if (out.email_verified === undefined && u.emailVerified !== undefined) out.email_verified = u.emailVerified;
      if (out.phone_number === undefined && u.phoneNumber !== undefined) out.phone_number = u.phoneNumber;
      if (out.phone_verified === undefined && u.phoneNumberVerified !== undefined) out.phone_verified = u.phoneNumberVerified;
      if (withId && out.user_id === undefined && typeof u.id === 'string' && u.id !== '') {
        out.user_id = u.id.indexOf('|') >= 0 ? u.id : 'auth0|' + u.id;
      }
    }
    if (withMetadata) {
      out.user_metadata = isObj(u) && isObj(u.user_metadata) ? u.user_metadata : {};
      out.app_metadata = isObj(u) && isObj(u.app_metadata) ? u.app_metadata : {};
    }
    return out;
  }
  function common(event, ctx) {
    if (isObj(ctx.custom_domain)) event.custom_domain = ctx.custom_domain;
    if (isObj(ctx.organization)) event.organization = ctx.organization;
    if (isObj(ctx.security_context)) event.security_context = ctx.security_context;
    const wt = ctx.webtask;
    event.secrets = Object.assign({}, isObj(wt) && isObj(wt.secrets) ? wt.secrets : {});
    return event;
  }
  function transaction(ctx, extra) {
    const out = pick(ctx.transaction, {}, ['correlation_id', 'locale', 'requested_scopes', 'ui_locales', 'acr_values',
      'login_hint', 'prompt', 'protocol', 'redirect_uri', 'response_mode', 'response_type', 'state']);
    return Object.assign(out, extra);
  }
  function settle(ret, done) {
    if (ret !== null && (typeof ret === 'object' || typeof ret === 'function') && typeof ret.then === 'function') {
      return Promise.resolve(ret).then(() => { done(); });
    }
    done();
  }
  function keyOf(method, key) {
    if (typeof key !== 'string') throw new TypeError(method + ': the key must be a string');
    return key;
  }

  switch (point) {
  case 'credentials-exchange':
    return function (cl, scope, audience, ctx, cb) {
      const scopes = Array.isArray(scope) ? scope.slice() : [];
      const event = common({
        accessToken: { scope: scopes.slice(), customClaims: {} },
        client: client(cl, 'metadata'),
        request: request(ctx.request),
        resource_server: { identifier: audience },
        tenant: { id: isObj(cl) ? cl.tenant : undefined },
        transaction: transaction(ctx, { requested_scopes: scopes.slice() }),
      }, ctx);
      const claims = {};
      let denial;
      const codes = { invalid_scope: classes[1], invalid_request: classes[2], server_error: classes[3] };
      const api = {
        access: {
          deny(code, reason) {
            if (!Object.prototype.hasOwnProperty.call(codes, code)) {
              throw new TypeError('api.access.deny: code must be one of invalid_scope, invalid_request, server_error');
            }
            if (!denial) denial = { code, reason };
            return api;
          },
        },
        accessToken: {
          setCustomClaim(key, value) {
            key = keyOf('api.accessToken.setCustomClaim', key);
            claims[key] = value;
            event.accessToken.customClaims[key] = value;
            return api;
          },
        },
        cache,
      };
      return settle(handler(event, api), () => {
        if (denial) return cb(new codes[denial.code](denial.reason === undefined ? '' : String(denial.reason)));
        const result = {};
        if (scope !== undefined && scope !== null) result.scope = scope;
        for (const k of Object.keys(claims)) if (k !== 'scope') result[k] = claims[k];
        cb(null, result);
      });
    };

  case 'pre-user-registration':
    return function (u, ctx, cb) {
      const event = common({
        connection: connection(ctx.connection),
        request: request(ctx.request, ctx.requestLanguage),
        tenant: { id: isObj(u) && u.tenant !== undefined ? u.tenant : ctx.connection.tenant },
        transaction: transaction(ctx, typeof ctx.renderLanguage === 'string' ? { locale: ctx.renderLanguage } : {}),
        user: user(u, false, true),
      }, ctx);
      const c = client(ctx.client, 'client_metadata');
      if (c) event.client = c;
      const metadata = { user_metadata: clone(event.user.user_metadata), app_metadata: clone(event.user.app_metadata) };
      const changed = {};
      let denial;
      const set = (field, method) => function (key, value) {
        key = keyOf(method, key);
        if (value === null) delete metadata[field][key];
        else metadata[field][key] = value;
        changed[field] = true;
        return api;
      };
      const api = {
        access: {
          deny(reason, userMessage) {
            if (!denial) denial = { message: reason, friendly: userMessage };
            return api;
          },
        },
        cache,
        user: {
          setAppMetadata: set('app_metadata', 'api.user.setAppMetadata'),
          setUserMetadata: set('user_metadata', 'api.user.setUserMetadata'),
        },
        validation: {
          error(errorCode, errorMessage) {
            if (!denial) denial = { message: errorMessage, friendly: errorMessage, code: errorCode };
            return api;
          },
        },
      };
      return settle(handler(event, api), () => {
        if (denial) {
          const err = new classes[1](denial.message === undefined ? '' : String(denial.message),
            denial.friendly === undefined ? undefined : String(denial.friendly));
          if (denial.code !== undefined) err.code = String(denial.code);
          return cb(err);
        }
        const out = {};
        for (const f of ['user_metadata', 'app_metadata']) if (changed[f]) out[f] = metadata[f];
        cb(null, Object.keys(out).length ? { user: out } : {});
      });
    };

  case 'post-user-registration':
  case 'post-change-password': {
    const post = point === 'post-user-registration';
    return function (u, ctx, cb) {
      const event = common({
        connection: connection(ctx.connection),
        request: request(ctx.request, ctx.requestLanguage),
        tenant: { id: isObj(u) && u.tenant !== undefined ? u.tenant : ctx.connection.tenant },
        transaction: transaction(ctx, {}),
        user: user(u, true, post),
      }, ctx);
      return settle(handler(event, { cache }), () => cb());
    };
  }

  case 'send-phone-message':
    return function (recipient, text, ctx, cb) {
      const event = common({
        message_options: { action: ctx.action, code: ctx.code, message_type: ctx.message_type, recipient, text },
        request: request(Object.assign({ ip: ctx.ip, user_agent: ctx.user_agent, language: ctx.language },
          isObj(ctx.request) ? ctx.request : {})),
        tenant: { id: ctx.tenant },
        transaction: transaction(ctx, {}),
        user: user(ctx.user, true, true),
      }, ctx);
      const c = client(ctx.client, 'client_metadata');
      if (c) event.client = c;
      return settle(handler(event, { cache }), () => cb(null, {}));
    };
  }
  throw new TypeError('no Action adapter for ' + point);
})`, true)

// ActionFunction returns the Hooks-form hook function that runs the Action
// handler handler for this point in vm: call it with the arguments Args
// built and the callback. classes are the point's error classes as
// DefineErrorClasses returned them; cache backs the Action's api.cache.
func (t *Trigger) ActionFunction(vm *goja.Runtime, handler goja.Value, classes []goja.Value, cache *ActionCache) (goja.Callable, error) {
	f, err := vm.RunProgram(actionSource)
	if err != nil {
		return nil, err
	}
	factory, _ := goja.AssertFunction(f)
	get, set, del := cacheFuncs(vm, cache)
	fn, err := factory(goja.Undefined(), vm.ToValue(string(t.ID)), handler, vm.NewArray(valuesToAny(classes)...), get, set, del)
	if err != nil {
		return nil, err
	}
	call, ok := goja.AssertFunction(fn)
	if !ok {
		return nil, fmt.Errorf("triggers: the Action adapter of %s is not a function", t.ID)
	}
	return call, nil
}

func valuesToAny(vs []goja.Value) []any {
	out := make([]any, len(vs))
	for i, v := range vs {
		out[i] = v
	}
	return out
}

// cacheFuncs binds api.cache.get, set and delete to cache.
func cacheFuncs(vm *goja.Runtime, cache *ActionCache) (get, set, del goja.Value) {
	key := func(method string, v goja.Value) string {
		if !isString(v) {
			panic(vm.NewTypeError("api.cache." + method + ": the key must be a string"))
		}
		return v.String()
	}
	result := func(code string) goja.Value {
		o := vm.NewObject()
		if code == "" {
			_ = o.Set("type", "success")
		} else {
			_ = o.Set("type", "error")
			_ = o.Set("code", code)
		}
		return o
	}
	get = vm.ToValue(func(call goja.FunctionCall) goja.Value {
		rec, ok := cache.Get(key("get", call.Argument(0)))
		if !ok {
			return goja.Undefined()
		}
		o := vm.NewObject()
		_ = o.Set("value", rec.Value)
		_ = o.Set("expires_at", rec.ExpiresAt)
		return o
	})
	set = vm.ToValue(func(call goja.FunctionCall) goja.Value {
		k, v := call.Argument(0), call.Argument(1)
		if !isString(k) {
			return result(CacheInvalidKey)
		}
		if !isString(v) {
			return result(CacheInvalidValue)
		}
		var ttl time.Duration
		var expiresAt int64
		if opts := call.Argument(2); !goja.IsUndefined(opts) && !goja.IsNull(opts) {
			o, ok := opts.(*goja.Object)
			if !ok {
				return result(CacheInvalidOptions)
			}
			var bad bool
			ms := func(name string) int64 {
				x := o.Get(name)
				if x == nil || goja.IsUndefined(x) {
					return 0
				}
				f := x.ToFloat()
				if math.IsNaN(f) || f <= 0 || f > 1e15 {
					bad = true
					return 0
				}
				return int64(f)
			}
			ttl, expiresAt = time.Duration(ms("ttl"))*time.Millisecond, ms("expires_at")
			if bad {
				return result(CacheInvalidOptions)
			}
		}
		return result(cache.Set(k.String(), v.String(), ttl, expiresAt))
	})
	del = vm.ToValue(func(call goja.FunctionCall) goja.Value {
		cache.Delete(key("delete", call.Argument(0)))
		return result("")
	})
	return get, set, del
}
