// zlib: gzip, deflate and raw deflate through Go's compress packages. Each
// call, and each stream at its end, works on the whole input at once; the
// output of one call is bounded. Brotli is not available.
'use strict';
const { Buffer } = require('buffer');
const { Transform } = require('stream');

const constants = Object.freeze({
  Z_NO_FLUSH: 0, Z_PARTIAL_FLUSH: 1, Z_SYNC_FLUSH: 2, Z_FULL_FLUSH: 3, Z_FINISH: 4, Z_BLOCK: 5,
  Z_OK: 0, Z_STREAM_END: 1, Z_NEED_DICT: 2, Z_ERRNO: -1, Z_STREAM_ERROR: -2, Z_DATA_ERROR: -3,
  Z_MEM_ERROR: -4, Z_BUF_ERROR: -5, Z_VERSION_ERROR: -6,
  Z_NO_COMPRESSION: 0, Z_BEST_SPEED: 1, Z_BEST_COMPRESSION: 9, Z_DEFAULT_COMPRESSION: -1,
  Z_FILTERED: 1, Z_HUFFMAN_ONLY: 2, Z_RLE: 3, Z_FIXED: 4, Z_DEFAULT_STRATEGY: 0,
  DEFLATE: 1, INFLATE: 2, GZIP: 3, GUNZIP: 4, DEFLATERAW: 5, INFLATERAW: 6, UNZIP: 7,
  BROTLI_DECODE: 8, BROTLI_ENCODE: 9,
  Z_MIN_WINDOWBITS: 8, Z_MAX_WINDOWBITS: 15, Z_DEFAULT_WINDOWBITS: 15,
  Z_MIN_CHUNK: 64, Z_MAX_CHUNK: Infinity, Z_DEFAULT_CHUNK: 16384,
  Z_MIN_MEMLEVEL: 1, Z_MAX_MEMLEVEL: 9, Z_DEFAULT_MEMLEVEL: 8,
  Z_MIN_LEVEL: -1, Z_MAX_LEVEL: 9, Z_DEFAULT_LEVEL: -1,
  BROTLI_OPERATION_PROCESS: 0, BROTLI_OPERATION_FLUSH: 1, BROTLI_OPERATION_FINISH: 2, BROTLI_OPERATION_EMIT_METADATA: 3,
  BROTLI_PARAM_MODE: 0, BROTLI_MODE_GENERIC: 0, BROTLI_MODE_TEXT: 1, BROTLI_MODE_FONT: 2,
  BROTLI_PARAM_QUALITY: 1, BROTLI_MIN_QUALITY: 0, BROTLI_MAX_QUALITY: 11, BROTLI_DEFAULT_QUALITY: 11,
  BROTLI_PARAM_SIZE_HINT: 5,
});

function input(data) {
  if (typeof data === 'string') return Buffer.from(data);
  if (data instanceof ArrayBuffer) return Buffer.from(data);
  if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const err = new TypeError('The "buffer" argument must be of type string or an instance of Buffer, TypedArray, DataView, or ArrayBuffer.');
  err.code = 'ERR_INVALID_ARG_TYPE';
  throw err;
}

function run(kind, data, options) {
  const level = options && typeof options.level === 'number' ? options.level : -1;
  const max = options && typeof options.maxOutputLength === 'number' ? options.maxOutputLength : 0;
  return Buffer.from(native.run(kind, input(data), level, max));
}

function brotli() {
  const err = new Error('brotli is not available to hooks');
  err.code = 'ERR_FEATURE_UNAVAILABLE_ON_PLATFORM';
  throw err;
}

class Zlib extends Transform {
  constructor(kind, options) {
    super(options);
    this._kind = kind;
    this._options = options || {};
    this._chunks = [];
    this.bytesWritten = 0;
  }
  _transform(chunk, encoding, done) {
    const b = typeof chunk === 'string' ? Buffer.from(chunk, encoding) : chunk;
    this._chunks.push(b);
    this.bytesWritten += b.length;
    done();
  }
  _flush(done) {
    let out;
    try {
      out = run(this._kind, Buffer.concat(this._chunks), this._options);
    } catch (err) {
      done(err);
      return;
    }
    this._chunks = [];
    done(null, out);
  }
  flush(kind, callback) {
    if (typeof kind === 'function') callback = kind;
    if (typeof callback === 'function') process.nextTick(callback);
  }
  params(level, strategy, callback) {
    this._options = Object.assign({}, this._options, { level });
    if (typeof callback === 'function') process.nextTick(callback);
  }
  reset() { this._chunks = []; }
  close(callback) {
    if (typeof callback === 'function') this.once('close', callback);
    this.destroy();
  }
}

const kinds = { Gzip: 'gzip', Gunzip: 'gunzip', Deflate: 'deflate', Inflate: 'inflate', DeflateRaw: 'deflateRaw', InflateRaw: 'inflateRaw', Unzip: 'unzip' };
const zlib = { constants, Zlib };
for (const [cls, kind] of Object.entries(kinds)) {
  const C = class extends Zlib {
    constructor(options) { super(kind, options); }
  };
  Object.defineProperty(C, 'name', { value: cls });
  zlib[cls] = C;
  zlib['create' + cls] = (options) => new C(options);
  zlib[kind + 'Sync'] = (data, options) => run(kind, data, options);
  zlib[kind] = (data, options, callback) => {
    if (typeof options === 'function') {
      callback = options;
      options = undefined;
    }
    let out;
    let error = null;
    try {
      out = run(kind, data, options);
    } catch (err) {
      error = err;
    }
    process.nextTick(() => callback(error, out));
  };
}
for (const name of ['BrotliCompress', 'BrotliDecompress']) {
  zlib[name] = brotli;
  zlib['create' + name] = brotli;
}
zlib.brotliCompress = zlib.brotliCompressSync = zlib.brotliDecompress = zlib.brotliDecompressSync = brotli;
zlib.crc32 = (data, value) => native.crc32(input(data), value === undefined ? 0 : value >>> 0);
Object.assign(zlib, constants);
module.exports = zlib;
