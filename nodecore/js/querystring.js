// querystring: Node's URL query string utilities.
'use strict';
const { Buffer } = require('buffer');

function escape(str) {
  return encodeURIComponent(str);
}

// unescape decodes percent-escapes; malformed ones are kept as they are
// and invalid UTF-8 becomes U+FFFD, as Node's unescapeBuffer does.
function unescape(str) {
  try {
    return decodeURIComponent(str);
  } catch (e) {
    const bytes = [];
    for (let i = 0; i < str.length; i++) {
      const c = str.charCodeAt(i);
      if (c === 0x25 && i + 2 < str.length + 0 && /^[0-9a-fA-F]{2}$/.test(str.slice(i + 1, i + 3))) {
        bytes.push(parseInt(str.slice(i + 1, i + 3), 16));
        i += 2;
      } else {
        const b = Buffer.from(str[i]);
        for (let j = 0; j < b.length; j++) bytes.push(b[j]);
      }
    }
    return Buffer.from(bytes).toString('utf8');
  }
}

function stringifyPrimitive(v) {
  switch (typeof v) {
    case 'string': return v;
    case 'number': return Number.isFinite(v) ? String(v) : '';
    case 'bigint': return String(v);
    case 'boolean': return v ? 'true' : 'false';
    default: return '';
  }
}

function stringify(obj, sep, eq, options) {
  sep = sep || '&';
  eq = eq || '=';
  const encode = options && typeof options.encodeURIComponent === 'function' ? options.encodeURIComponent : escape;
  if (obj === null || typeof obj !== 'object') {
    return '';
  }
  const parts = [];
  for (const k of Object.keys(obj)) {
    const v = obj[k];
    const ks = encode(stringifyPrimitive(k)) + eq;
    if (Array.isArray(v)) {
      for (const item of v) {
        parts.push(ks + encode(stringifyPrimitive(item)));
      }
    } else {
      parts.push(ks + encode(stringifyPrimitive(v)));
    }
  }
  return parts.join(sep);
}

function parse(qs, sep, eq, options) {
  const obj = Object.create(null);
  if (typeof qs !== 'string' || qs.length === 0) {
    return obj;
  }
  sep = sep || '&';
  eq = eq || '=';
  let maxKeys = 1000;
  if (options && typeof options.maxKeys === 'number') {
    maxKeys = options.maxKeys;
  }
  const decode = options && typeof options.decodeURIComponent === 'function' ? options.decodeURIComponent : unescape;
  let pairs = qs.split(sep);
  if (maxKeys > 0 && pairs.length > maxKeys) {
    pairs = pairs.slice(0, maxKeys);
  }
  for (const pair of pairs) {
    if (pair.length === 0) {
      continue;
    }
    const i = pair.indexOf(eq);
    const rawKey = i >= 0 ? pair.slice(0, i) : pair;
    const rawValue = i >= 0 ? pair.slice(i + eq.length) : '';
    const dec = (s) => {
      s = s.replace(/\+/g, ' ');
      try {
        return decode(s);
      } catch (e) {
        return unescape(s);
      }
    };
    const k = dec(rawKey);
    const v = dec(rawValue);
    if (Object.prototype.hasOwnProperty.call(obj, k)) {
      if (Array.isArray(obj[k])) {
        obj[k].push(v);
      } else {
        obj[k] = [obj[k], v];
      }
    } else {
      obj[k] = v;
    }
  }
  return obj;
}

module.exports = { parse, stringify, escape, unescape, decode: parse, encode: stringify };
