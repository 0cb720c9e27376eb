// fs: read-only access to the operator's node_modules directory, which
// scripts see as /node_modules (packages read their own package.json and
// data files). Nothing else exists; writing fails with EROFS; what needs a
// real file system (watching, descriptors) throws.
'use strict';
const { Buffer } = require('buffer');
const path = require('path');
const { Readable } = require('stream');

const constants = Object.freeze({
  F_OK: 0, R_OK: 4, W_OK: 2, X_OK: 1,
  O_RDONLY: 0, O_WRONLY: 1, O_RDWR: 2, O_CREAT: 64, O_EXCL: 128, O_TRUNC: 512, O_APPEND: 1024,
  S_IFMT: 61440, S_IFREG: 32768, S_IFDIR: 16384, S_IFLNK: 40960,
  COPYFILE_EXCL: 1,
});

function toPath(p) {
  if (p instanceof URL) {
    if (p.protocol !== 'file:') {
      const err = new TypeError('The URL must be of scheme file');
      err.code = 'ERR_INVALID_URL_SCHEME';
      throw err;
    }
    p = decodeURIComponent(p.pathname);
  } else if (Buffer.isBuffer(p)) {
    p = p.toString();
  }
  if (typeof p !== 'string') {
    const err = new TypeError('The "path" argument must be of type string or an instance of Buffer or URL. Received ' + (p === null ? 'null' : typeof p));
    err.code = 'ERR_INVALID_ARG_TYPE';
    throw err;
  }
  return path.resolve('/', p);
}

function encodingOf(options) {
  if (typeof options === 'string') return options;
  return options && options.encoding ? options.encoding : null;
}

class Stats {
  constructor(s) {
    this.dev = 0;
    this.mode = s.mode;
    this.nlink = 1;
    this.uid = 0;
    this.gid = 0;
    this.rdev = 0;
    this.blksize = 4096;
    this.ino = 0;
    this.size = s.size;
    this.blocks = Math.ceil(s.size / 512);
    this.atimeMs = this.mtimeMs = this.ctimeMs = this.birthtimeMs = s.mtimeMs;
    this.atime = new Date(s.mtimeMs);
    this.mtime = new Date(s.mtimeMs);
    this.ctime = new Date(s.mtimeMs);
    this.birthtime = new Date(s.mtimeMs);
    this._dir = s.dir;
  }
}
Object.defineProperty(Stats.prototype, '_dir', { writable: true, enumerable: false });

class Dirent {
  constructor(name, dir, parent) {
    this.name = name;
    this.parentPath = this.path = parent;
    Object.defineProperty(this, '_dir', { value: dir });
  }
}

// The type tests of Stats and Dirent, which both keep _dir, defined as
// class methods are: not enumerable.
const typeTests = {
  isFile() { return !this._dir; },
  isDirectory() { return this._dir; },
  isSymbolicLink() { return false; },
  isBlockDevice() { return false; },
  isCharacterDevice() { return false; },
  isFIFO() { return false; },
  isSocket() { return false; },
};
for (const C of [Stats, Dirent]) {
  for (const name of Object.keys(typeTests)) {
    Object.defineProperty(C.prototype, name, { value: typeTests[name], writable: true, configurable: true });
  }
}

function readFileSync(p, options) {
  if (typeof p === 'number') throw unavailable('readFileSync with a file descriptor');
  const buf = Buffer.from(native.read(toPath(p)));
  const enc = encodingOf(options);
  return enc ? buf.toString(enc) : buf;
}

function statSync(p, options) {
  try {
    return new Stats(native.stat(toPath(p)));
  } catch (err) {
    if (options && options.throwIfNoEntry === false && err.code === 'ENOENT') return undefined;
    throw err;
  }
}

function existsSync(p) {
  try {
    native.stat(toPath(p));
    return true;
  } catch (err) {
    return false;
  }
}

function readdirSync(p, options) {
  const dir = toPath(p);
  const list = native.readdir(dir);
  if (options && options.withFileTypes) return list.map(([name, isDir]) => new Dirent(name, isDir, dir));
  const enc = encodingOf(options);
  return list.map(([name]) => (enc === 'buffer' ? Buffer.from(name) : name));
}

function accessSync(p, mode) {
  const resolved = toPath(p);
  native.stat(resolved);
  if (mode & constants.W_OK) throw erofs('access', resolved);
}

function realpathSync(p) {
  const resolved = toPath(p);
  native.stat(resolved);
  return resolved;
}
realpathSync.native = realpathSync;

function erofs(syscall, p) {
  const err = new Error('EROFS: read-only file system, ' + syscall + (p ? " '" + p + "'" : ''));
  err.code = 'EROFS';
  err.errno = -30;
  err.syscall = syscall;
  if (p) err.path = p;
  return err;
}

function unavailable(what) {
  const err = new Error('fs: ' + what + ' is not available to hooks: fs reads only the node_modules directory');
  err.code = 'ERR_FEATURE_UNAVAILABLE_ON_PLATFORM';
  return err;
}

const fs = {
  constants, Stats, Dirent,
  readFileSync, statSync, lstatSync: statSync, existsSync, readdirSync, accessSync, realpathSync,
};
Object.assign(fs, constants);

// The callback forms: the work is done at once, the callback called on the
// next tick, as Node's would be after the I/O.
function callbackForm(sync) {
  return function (...args) {
    const cb = args.pop();
    if (typeof cb !== 'function') {
      const err = new TypeError('The "cb" argument must be of type function. Received ' + typeof cb);
      err.code = 'ERR_INVALID_ARG_TYPE';
      throw err;
    }
    let res;
    let error = null;
    try {
      res = sync(...args);
    } catch (err) {
      error = err;
    }
    process.nextTick(() => cb(error, res));
  };
}
function promiseForm(sync) {
  return (...args) => new Promise((resolve) => resolve(sync(...args)));
}
const readers = { readFile: readFileSync, stat: statSync, lstat: statSync, readdir: readdirSync, access: accessSync, realpath: realpathSync };
fs.promises = { constants };
for (const [name, sync] of Object.entries(readers)) {
  fs[name] = callbackForm(sync);
  fs.promises[name] = promiseForm(sync);
}
fs.realpath.native = fs.realpath;
fs.exists = (p, cb) => {
  const ok = existsSync(p);
  process.nextTick(() => cb(ok));
};

// Writing: EROFS in all three forms.
for (const name of ['writeFile', 'appendFile', 'mkdir', 'mkdtemp', 'rm', 'rmdir', 'unlink', 'rename', 'copyFile', 'cp',
  'symlink', 'link', 'chmod', 'chown', 'lchown', 'utimes', 'lutimes', 'truncate']) {
  const sync = (p) => { throw erofs(name === 'writeFile' || name === 'appendFile' ? 'open' : name, typeof p === 'string' ? toPath(p) : undefined); };
  fs[name + 'Sync'] = sync;
  fs[name] = callbackForm(sync);
  fs.promises[name] = promiseForm(sync);
}
// Descriptors, watching, write streams: no.
for (const name of ['open', 'close', 'read', 'write', 'fstat', 'fsync', 'ftruncate', 'opendir', 'readv', 'writev']) {
  const sync = () => { throw unavailable(name); };
  fs[name + 'Sync'] = sync;
  fs[name] = callbackForm(sync);
}
fs.promises.open = promiseForm(() => { throw unavailable('open'); });
fs.promises.opendir = promiseForm(() => { throw unavailable('opendir'); });
for (const name of ['watch', 'watchFile', 'unwatchFile', 'createWriteStream']) {
  fs[name] = () => { throw unavailable(name); };
}
fs.createReadStream = (p, options) => {
  const resolved = toPath(p);
  const enc = encodingOf(options);
  const stream = new Readable({
    read() {
      let data;
      try {
        data = readFileSync(resolved);
      } catch (err) {
        this.destroy(err);
        return;
      }
      const start = options && options.start !== undefined ? options.start : 0;
      const end = options && options.end !== undefined ? options.end + 1 : data.length;
      this.push(enc ? data.subarray(start, end).toString(enc) : data.subarray(start, end));
      this.push(null);
    },
  });
  stream.path = resolved;
  return stream;
};
fs.ReadStream = Readable;
module.exports = fs;
