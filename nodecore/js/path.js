// path: Node's POSIX path utilities. The working directory is "/".
'use strict';

function assertPath(p, name) {
  if (typeof p !== 'string') {
    const err = new TypeError('The "' + (name || 'path') + '" argument must be of type string. Received ' + (p === null ? 'null' : typeof p));
    err.code = 'ERR_INVALID_ARG_TYPE';
    throw err;
  }
}

function normalizeParts(parts, absolute) {
  const out = [];
  for (const p of parts) {
    if (p === '' || p === '.') {
      continue;
    }
    if (p === '..') {
      if (out.length > 0 && out[out.length - 1] !== '..') {
        out.pop();
      } else if (!absolute) {
        out.push('..');
      }
      continue;
    }
    out.push(p);
  }
  return out;
}

function normalize(p) {
  assertPath(p);
  if (p.length === 0) {
    return '.';
  }
  const absolute = p[0] === '/';
  const trailing = p[p.length - 1] === '/';
  let out = normalizeParts(p.split('/'), absolute).join('/');
  if (out.length === 0 && !absolute) {
    out = '.';
  }
  if (out.length > 0 && trailing) {
    out += '/';
  }
  return (absolute ? '/' : '') + out;
}

function join(...args) {
  const parts = [];
  for (const a of args) {
    assertPath(a);
    if (a.length > 0) {
      parts.push(a);
    }
  }
  return parts.length === 0 ? '.' : normalize(parts.join('/'));
}

function resolve(...args) {
  let resolved = '';
  for (let i = args.length - 1; i >= 0 && resolved[0] !== '/'; i--) {
    assertPath(args[i]);
    if (args[i].length > 0) {
      resolved = args[i] + (resolved.length > 0 ? '/' + resolved : '');
    }
  }
  if (resolved[0] !== '/') {
    resolved = '/' + resolved;
  }
  return '/' + normalizeParts(resolved.split('/'), true).join('/');
}

function isAbsolute(p) {
  assertPath(p);
  return p.length > 0 && p[0] === '/';
}

function trimTrailing(p) {
  let end = p.length;
  while (end > 1 && p[end - 1] === '/') {
    end--;
  }
  return p.slice(0, end);
}

function dirname(p) {
  assertPath(p);
  if (p.length === 0) {
    return '.';
  }
  const t = trimTrailing(p);
  const i = t.lastIndexOf('/');
  if (i < 0) {
    return '.';
  }
  if (i === 0) {
    return '/';
  }
  return trimTrailing(t.slice(0, i));
}

function basename(p, ext) {
  assertPath(p);
  const t = trimTrailing(p);
  let base = t === '/' ? '' : t.slice(t.lastIndexOf('/') + 1);
  if (typeof ext === 'string' && ext.length > 0 && base !== ext && base.endsWith(ext)) {
    base = base.slice(0, base.length - ext.length);
  }
  return base;
}

function extname(p) {
  assertPath(p);
  const base = basename(p);
  const i = base.lastIndexOf('.');
  if (i <= 0) {
    return '';
  }
  return base.slice(i);
}

function relative(from, to) {
  assertPath(from, 'from');
  assertPath(to, 'to');
  const f = resolve(from).split('/').filter(Boolean);
  const t = resolve(to).split('/').filter(Boolean);
  let i = 0;
  while (i < f.length && i < t.length && f[i] === t[i]) {
    i++;
  }
  return f.slice(i).map(() => '..').concat(t.slice(i)).join('/');
}

function parse(p) {
  assertPath(p);
  const root = p[0] === '/' ? '/' : '';
  const base = basename(p);
  const ext = extname(p);
  let dir = dirname(p);
  if (dir === '.' && !p.includes('/')) {
    dir = '';
  }
  return { root, dir, base, ext, name: ext ? base.slice(0, base.length - ext.length) : base };
}

function format(obj) {
  const dir = obj.dir || obj.root || '';
  const base = obj.base || ((obj.name || '') + (obj.ext ? (obj.ext[0] === '.' ? '' : '.') + obj.ext : ''));
  if (!dir) {
    return base;
  }
  return dir === obj.root ? dir + base : dir + '/' + base;
}

const posix = {
  sep: '/', delimiter: ':', normalize, join, resolve, isAbsolute, dirname, basename, extname, relative, parse, format,
  toNamespacedPath: (p) => p,
};
posix.posix = posix;
module.exports = posix;
