// crypto: the part of Node's crypto module hooks use — random bytes and
// UUIDs, hashes and HMACs. Ciphers, signatures and key derivation are not
// available.
'use strict';
const { Buffer } = require('buffer');
const kHandle = Symbol('handle');
const kDone = Symbol('finalized');

function argTypeError(name, what, value) {
  const err = new TypeError('The "' + name + '" argument must be ' + what + '. Received ' + (value === null ? 'null' : typeof value));
  err.code = 'ERR_INVALID_ARG_TYPE';
  return err;
}

function bytes(data, encoding, name) {
  if (typeof data === 'string') {
    return Buffer.from(data, encoding === 'buffer' ? undefined : encoding);
  }
  if (data instanceof ArrayBuffer) {
    return new Uint8Array(data);
  }
  if (ArrayBuffer.isView(data)) {
    return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  }
  throw argTypeError(name || 'data', 'of type string or an instance of Buffer, TypedArray, or DataView', data);
}

function output(ab, encoding) {
  const b = Buffer.from(ab);
  return encoding === undefined || encoding === 'buffer' ? b : b.toString(encoding);
}

function finalized() {
  const err = new Error('Digest already called');
  err.code = 'ERR_CRYPTO_HASH_FINALIZED';
  return err;
}

// Digest holds what Hash and Hmac share: a native handle fed by update
// until digest finalizes it.
class Digest {
  constructor(handle) {
    this[kHandle] = handle;
    this[kDone] = false;
  }
  update(data, inputEncoding) {
    if (this[kDone]) {
      throw finalized();
    }
    native.update(this[kHandle], bytes(data, inputEncoding));
    return this;
  }
  // finish returns the digest of a handle not finalized yet.
  finish(outputEncoding) {
    this[kDone] = true;
    return output(native.digest(this[kHandle]), outputEncoding);
  }
}

class Hash extends Digest {
  digest(outputEncoding) {
    if (this[kDone]) {
      throw finalized();
    }
    return this.finish(outputEncoding);
  }
  copy() {
    if (this[kDone]) {
      throw finalized();
    }
    return new Hash(native.copy(this[kHandle]));
  }
}

class Hmac extends Digest {
  digest(outputEncoding) {
    if (this[kDone]) {
      // Node returns an empty digest once an Hmac is finalized.
      return output(new ArrayBuffer(0), outputEncoding);
    }
    return this.finish(outputEncoding);
  }
}

function algorithm(name) {
  if (typeof name !== 'string') {
    throw argTypeError('algorithm', 'of type string', name);
  }
  return name;
}

function createHash(alg) {
  const h = native.hash(algorithm(alg), null);
  if (h === null) {
    throw new Error('Digest method not supported');
  }
  return new Hash(h);
}

function createHmac(alg, key) {
  if (key === null || key === undefined) {
    throw argTypeError('key', 'of type string or an instance of ArrayBuffer, Buffer, TypedArray, DataView or KeyObject', key);
  }
  const h = native.hash(algorithm(alg), key instanceof KeyObject ? key[kKey] : bytes(key, undefined, 'key'));
  if (h === null) {
    const err = new Error('Invalid digest: ' + alg);
    err.code = 'ERR_CRYPTO_INVALID_DIGEST';
    throw err;
  }
  return new Hmac(h);
}

function hash(alg, data, outputEncoding = 'hex') {
  return createHash(alg).update(data).digest(outputEncoding);
}

function checkSize(size, name) {
  if (typeof size !== 'number') {
    throw argTypeError(name, 'of type number', size);
  }
  if (!(size >= 0 && size <= 2147483647) || Math.trunc(size) !== size) {
    const err = new RangeError('The value of "' + name + '" is out of range. It must be >= 0 && <= 2147483647. Received ' + size);
    err.code = 'ERR_OUT_OF_RANGE';
    throw err;
  }
}

function later(fn) {
  Promise.resolve().then(fn);
}

function randomBytes(size, callback) {
  checkSize(size, 'size');
  const buf = Buffer.alloc(size);
  native.fill(buf);
  if (typeof callback === 'function') {
    later(() => callback(null, buf));
    return undefined;
  }
  return buf;
}

function view(buf) {
  if (buf instanceof ArrayBuffer) {
    return new Uint8Array(buf);
  }
  if (ArrayBuffer.isView(buf)) {
    return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  }
  throw argTypeError('buf', 'an instance of ArrayBuffer or ArrayBufferView', buf);
}

function randomFillSync(buf, offset = 0, size) {
  const all = view(buf);
  checkSize(offset, 'offset');
  if (size === undefined) {
    size = all.length - offset;
  }
  checkSize(size, 'size');
  if (offset + size > all.length) {
    const err = new RangeError('The value of "size + offset" is out of range. It must be <= ' + all.length + '. Received ' + (offset + size));
    err.code = 'ERR_OUT_OF_RANGE';
    throw err;
  }
  native.fill(all.subarray(offset, offset + size));
  return buf;
}

function randomFill(buf, offset, size, callback) {
  if (typeof offset === 'function') {
    callback = offset;
    offset = 0;
    size = undefined;
  } else if (typeof size === 'function') {
    callback = size;
    size = undefined;
  }
  if (typeof callback !== 'function') {
    throw argTypeError('callback', 'of type function', callback);
  }
  randomFillSync(buf, offset, size);
  later(() => callback(null, buf));
}

function randomInt(min, max, callback) {
  if (typeof max !== 'number' || typeof max === 'function') {
    callback = max;
    max = min;
    min = 0;
  }
  if (!Number.isSafeInteger(min)) {
    throw argTypeError('min', 'a safe integer', min);
  }
  if (!Number.isSafeInteger(max)) {
    throw argTypeError('max', 'a safe integer', max);
  }
  if (max <= min || max - min > 2 ** 48) {
    const err = new RangeError('The value of "max" is out of range. It must be greater than the value of "min" (' + min + ') and at most 2^48 above it. Received ' + max);
    err.code = 'ERR_OUT_OF_RANGE';
    throw err;
  }
  const n = min + native.randomInt(max - min);
  if (typeof callback === 'function') {
    later(() => callback(null, n));
    return undefined;
  }
  return n;
}

function randomUUID() {
  return native.uuid();
}

function getRandomValues(typedArray) {
  if (!ArrayBuffer.isView(typedArray) || typedArray instanceof DataView || typedArray instanceof Float32Array || typedArray instanceof Float64Array) {
    const err = new TypeError('The data argument must be an integer-type TypedArray');
    err.code = 'ERR_INVALID_ARG_TYPE';
    throw err;
  }
  if (typedArray.byteLength > 65536) {
    const err = new RangeError('The ArrayBufferView\'s byte length (' + typedArray.byteLength + ') exceeds the number of bytes of entropy available via this API (65536)');
    err.name = 'QuotaExceededError';
    throw err;
  }
  native.fill(new Uint8Array(typedArray.buffer, typedArray.byteOffset, typedArray.byteLength));
  return typedArray;
}

function timingSafeEqual(a, b) {
  const x = bytes(a, undefined, 'buf1');
  const y = bytes(b, undefined, 'buf2');
  if (typeof a === 'string' || typeof b === 'string') {
    throw argTypeError(typeof a === 'string' ? 'buf1' : 'buf2', 'an instance of ArrayBuffer, Buffer, TypedArray, or DataView', 'string');
  }
  if (x.byteLength !== y.byteLength) {
    const err = new RangeError('Input buffers must have the same byte length');
    err.code = 'ERR_CRYPTO_TIMING_SAFE_EQUAL_LENGTH';
    throw err;
  }
  return native.equal(x, y);
}

function unsupported(name) {
  return function () {
    const err = new Error('crypto.' + name + ' is not available in hooks: only randomBytes, randomUUID, createHash, createHmac and their relatives are');
    err.code = 'ERR_FEATURE_UNAVAILABLE_ON_PLATFORM';
    throw err;
  };
}

// KeyObject: secret keys only, for HMAC (jsonwebtoken makes one of an
// HS256 secret). Asymmetric keys are not available.
const kKey = Symbol('key');
class KeyObject {
  constructor(type, key) {
    if (type !== 'secret') {
      throw unsupported('KeyObject of type ' + type)();
    }
    this.type = type;
    Object.defineProperty(this, kKey, { value: key });
  }
  get symmetricKeySize() { return this[kKey].length; }
  get asymmetricKeyType() { return undefined; }
  export(options) {
    const b = Buffer.from(this[kKey]);
    if (options && options.format === 'jwk') {
      return { kty: 'oct', k: b.toString('base64url') };
    }
    return b;
  }
  equals(other) {
    return other instanceof KeyObject && other.type === this.type && timingSafeEqualBytes(this[kKey], other[kKey]);
  }
}
function timingSafeEqualBytes(a, b) {
  return a.length === b.length && native.equal(a, b);
}
function createSecretKey(key, encoding) {
  return new KeyObject('secret', Uint8Array.from(bytes(key, encoding, 'key')));
}

const constants = Object.freeze({
  RSA_PKCS1_PADDING: 1, RSA_NO_PADDING: 3, RSA_PKCS1_OAEP_PADDING: 4, RSA_PKCS1_PSS_PADDING: 6,
  RSA_PSS_SALTLEN_DIGEST: -1, RSA_PSS_SALTLEN_MAX_SIGN: -2, RSA_PSS_SALTLEN_AUTO: -2,
  POINT_CONVERSION_COMPRESSED: 2, POINT_CONVERSION_UNCOMPRESSED: 4, POINT_CONVERSION_HYBRID: 6,
});

module.exports = {
  constants, createHash, createHmac, hash, Hash, Hmac, KeyObject, createSecretKey,
  randomBytes, pseudoRandomBytes: randomBytes, randomFill, randomFillSync, randomInt, randomUUID, getRandomValues,
  timingSafeEqual,
  getHashes: () => native.hashes(),
  webcrypto: { getRandomValues, randomUUID },
};
for (const name of ['createCipheriv', 'createDecipheriv', 'createSign', 'createVerify', 'sign', 'verify', 'pbkdf2', 'pbkdf2Sync',
  'scrypt', 'scryptSync', 'hkdf', 'hkdfSync', 'generateKeyPair', 'generateKeyPairSync', 'createPublicKey', 'createPrivateKey',
  'publicEncrypt', 'privateDecrypt', 'privateEncrypt', 'publicDecrypt', 'createECDH', 'createDiffieHellman']) {
  module.exports[name] = unsupported(name);
}
