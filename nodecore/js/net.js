// net: what packages read of Node's net module when they load (isIP, the
// Socket class to extend or test against). Hooks open no sockets: every
// request goes through fetch, so connecting or listening throws.
'use strict';
const EventEmitter = require('events');

function unavailable(what) {
  const err = new Error(what + ' is not available to hooks: requests go through fetch (or http, https, axios...)');
  err.code = 'ERR_FEATURE_UNAVAILABLE_ON_PLATFORM';
  return err;
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
function isIPv4(s) { return IPV4.test(String(s)); }
function isIPv6(s) {
  s = String(s);
  const i = s.indexOf('%');
  if (i >= 0) s = s.slice(0, i);
  if (!/^[0-9a-fA-F:.]+$/.test(s) || s.indexOf(':') < 0) return false;
  let groups = s.split(':');
  const last = groups[groups.length - 1];
  let want = 8;
  if (last.indexOf('.') >= 0) {
    if (!isIPv4(last)) return false;
    groups = groups.slice(0, -1);
    want = 6;
  }
  const double = s.indexOf('::');
  if (double !== s.lastIndexOf('::')) return false;
  const parts = groups.filter((g, k) => !(g === '' && (double >= 0)));
  if (parts.some((g) => !/^[0-9a-fA-F]{1,4}$/.test(g))) return false;
  return double >= 0 ? parts.length < want : parts.length === want;
}
function isIP(s) { return isIPv4(s) ? 4 : isIPv6(s) ? 6 : 0; }

class Socket extends EventEmitter {
  constructor() {
    super();
    this.connecting = false;
    this.destroyed = false;
  }
  connect() { throw unavailable('net.Socket.connect'); }
  setTimeout() { return this; }
  setNoDelay() { return this; }
  setKeepAlive() { return this; }
  ref() { return this; }
  unref() { return this; }
  destroy() { this.destroyed = true; return this; }
}
class Server extends EventEmitter {
  listen() { throw unavailable('net.Server.listen'); }
}

module.exports = {
  isIP, isIPv4, isIPv6, Socket, Server, Stream: Socket,
  connect() { throw unavailable('net.connect'); },
  createConnection() { throw unavailable('net.createConnection'); },
  createServer() { throw unavailable('net.createServer'); },
};
