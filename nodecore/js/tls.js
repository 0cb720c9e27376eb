// tls: what packages read of Node's tls module when they load. Hooks open
// no connections of their own (fetch does TLS), so connecting throws.
'use strict';
const net = require('net');

function unavailable(what) {
  const err = new Error(what + ' is not available to hooks: requests go through fetch (or http, https, axios...)');
  err.code = 'ERR_FEATURE_UNAVAILABLE_ON_PLATFORM';
  return err;
}
class TLSSocket extends net.Socket {
  constructor() {
    super();
    this.encrypted = true;
    this.authorized = false;
  }
}
module.exports = {
  TLSSocket,
  DEFAULT_ECDH_CURVE: 'auto',
  DEFAULT_MIN_VERSION: 'TLSv1.2',
  DEFAULT_MAX_VERSION: 'TLSv1.3',
  rootCertificates: Object.freeze([]),
  getCiphers: () => ['tls_aes_128_gcm_sha256', 'tls_aes_256_gcm_sha384', 'tls_chacha20_poly1305_sha256'],
  checkServerIdentity: () => undefined,
  createSecureContext: (options) => ({ context: {}, options: options || {} }),
  connect() { throw unavailable('tls.connect'); },
  createServer() { throw unavailable('tls.createServer'); },
};
