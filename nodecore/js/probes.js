// dgram, dns, http2 and child_process as far as packages read them when they load
// (aws-sdk's monitoring publisher, proxy agents, stripe's telemetry): every
// function that would reach the network or the host throws, or calls back
// with, ERR_FEATURE_UNAVAILABLE_ON_PLATFORM. Hooks send requests through
// fetch and run no processes.
'use strict';
function unavailable(what) {
  const err = new Error(host.name + '.' + what + ' is not available to hooks');
  err.code = 'ERR_FEATURE_UNAVAILABLE_ON_PLATFORM';
  return err;
}
function thrower(name) {
  return function () { throw unavailable(name); };
}
function callsBack(name) {
  return function (...args) {
    const cb = args.reverse().find((a) => typeof a === 'function');
    if (!cb) throw unavailable(name);
    process.nextTick(() => cb(unavailable(name)));
  };
}
const api = {};
for (const name of host.throwing) api[name] = thrower(name);
for (const name of host.callback) api[name] = callsBack(name);
if (host.name === 'dns') {
  api.promises = {};
  for (const name of host.callback) api.promises[name] = () => Promise.reject(unavailable('promises.' + name));
  Object.assign(api, { ADDRCONFIG: 1024, V4MAPPED: 2048, ALL: 256, NOTFOUND: 'ENOTFOUND', TIMEOUT: 'ETIMEOUT' });
  api.Resolver = function Resolver() { Object.assign(this, api); };
}
if (host.name === 'http2') {
  api.constants = {};
  api.sensitiveHeaders = Symbol('nodejs.http2.sensitiveHeaders');
}
module.exports = api;
