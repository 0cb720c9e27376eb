// The glue a plain embedder puts around an Auth0 hook when it runs the hook
// on a bare engine: the point's error classes, a console that keeps the lines,
// the webtask context, the point's arguments taken from the JSON request body,
// and a callback that turns the answer into JSON. The raw goja, otto, Node vm
// and isolated-vm contenders all run hooks through this same file, so they do
// the same work around the hook as hookengine does (JSON text in, JSON text
// out). It is ES5 so that otto can run it.
var __logs = [];
var __secrets = {};

var console = (function () {
  function line() {
    var parts = [];
    for (var i = 0; i < arguments.length; i++) {
      var a = arguments[i];
      parts.push(typeof a === 'string' ? a : JSON.stringify(a));
    }
    if (__logs.length < 100) {
      __logs.push(parts.join(' '));
    }
  }
  return { log: line, info: line, warn: line, error: line, debug: line };
})();

function __errorClass(name, base, friendly) {
  function E(message, friendlyMessage) {
    this.name = name;
    this.message = message;
    if (friendly) {
      this.friendlyMessage = friendlyMessage || message;
    }
  }
  E.prototype = Object.create(base.prototype);
  E.prototype.constructor = E;
  return E;
}

var ExtensibilityUserError = __errorClass('ExtensibilityUserError', Error, false);
var InvalidScopeError = __errorClass('InvalidScopeError', ExtensibilityUserError, false);
var InvalidRequestError = __errorClass('InvalidRequestError', ExtensibilityUserError, false);
var ServerError = __errorClass('ServerError', ExtensibilityUserError, false);
var PreUserRegistrationError = __errorClass('PreUserRegistrationError', ExtensibilityUserError, true);
var SendPhoneMessageError = __errorClass('SendPhoneMessageError', ExtensibilityUserError, true);

function __require(name) {
  throw new Error('Cannot find module \'' + name + '\'');
}

// __init takes the hook's secrets as JSON; call it once per runtime.
function __init(secretsJSON) {
  __secrets = JSON.parse(secretsJSON);
}

// __load runs the compiled module wrapper and returns the hook function.
function __load(wrapper) {
  var module = { exports: {} };
  wrapper.call(module.exports, module, module.exports, __require);
  return module.exports;
}

function __copy(o) {
  var c = {};
  for (var k in o) {
    if (Object.prototype.hasOwnProperty.call(o, k)) {
      c[k] = o[k];
    }
  }
  return c;
}

// __run calls hook for trigger with the JSON request body input. done
// receives the answer as JSON, once; __run also returns it when the hook
// answered synchronously.
function __run(hook, trigger, input, done) {
  var body = JSON.parse(input);
  var webtask = {
    secrets: __secrets,
    data: __secrets,
    meta: { 'auth0-extension': 'runtime', 'auth0-extension-name': trigger }
  };
  var userPoint = false;
  var args, ctx;
  switch (trigger) {
    case 'credentials-exchange':
      ctx = body.context || {};
      ctx.webtask = webtask;
      args = [body.client, body.scope, body.audience, ctx];
      break;
    case 'send-phone-message':
      ctx = body.context;
      ctx.webtask = webtask;
      args = [body.recipient, body.text, ctx];
      break;
    default:
      userPoint = true;
      ctx = __copy(body.context);
      ctx.webtask = webtask;
      args = [body.user, ctx];
  }
  var answered = false;
  var result;
  __logs = [];
  args.push(function (err, value) {
    if (answered) {
      return;
    }
    answered = true;
    if (err) {
      result = JSON.stringify({ error: { name: err.name || 'Error', message: err.message || String(err) } });
    } else {
      if (userPoint && (value === undefined || value === null)) {
        value = {};
      }
      result = JSON.stringify(value);
    }
    if (done) {
      done(result);
    }
  });
  hook.apply(undefined, args);
  return result;
}
