// What a script sees of a new runtime's globals and guarded built-ins:
// names and their order, descriptors, typeof, function names and lengths,
// identities, and the errors of the guards. TestVisibleGlobals compares it
// with snapshot.golden.json, so a change in how globals are installed
// (lazily, shared, ...) cannot change what scripts see unnoticed.
(function () {
  'use strict';
  const g = globalThis;
  const out = {};
  const label = (k) => (typeof k === 'symbol' ? String(k) : k);
  function kind(o, k) {
    const d = Object.getOwnPropertyDescriptor(o, k);
    if (d === undefined) {
      return 'none';
    }
    let s = 'get' in d ? 'accessor' : 'data';
    s += d.enumerable ? ',enumerable' : '';
    s += d.configurable ? ',configurable' : '';
    s += d.writable ? ',writable' : '';
    return s;
  }
  function describe(v) {
    let s = typeof v;
    if (typeof v === 'function') {
      s += ' ' + v.name + '/' + v.length;
    }
    return s;
  }
  // Descriptors first: reading a value may install it.
  out.globalNames = Object.getOwnPropertyNames(g);
  out.globalSymbols = Object.getOwnPropertySymbols(g).map(label);
  out.globalKeys = Object.keys(g);
  out.globalsBeforeUse = out.globalNames.map((k) => k + ': ' + kind(g, k));
  out.globalValues = out.globalNames.map((k) => k + ': ' + describe(g[k]));
  out.globalsAfterUse = Object.getOwnPropertyNames(g).map((k) => k + ': ' + kind(g, k));
  out.globalKeysAfterUse = Object.keys(g);

  const objects = {
    'Array': Array, 'Array.prototype': Array.prototype, 'String.prototype': String.prototype,
    'Function.prototype': Function.prototype, 'RegExp.prototype': RegExp.prototype, 'JSON': JSON,
    'Reflect': Reflect, 'Proxy': Proxy, 'Object': Object, 'Object.prototype': Object.prototype,
    'Promise': Promise, 'Promise.prototype': Promise.prototype, 'Math': Math, 'Error': Error,
    'ArrayBuffer': ArrayBuffer, 'Uint8Array': Uint8Array, 'Uint8Array.prototype': Uint8Array.prototype,
    'process': process, 'console': console,
  };
  out.objects = {};
  for (const [name, o] of Object.entries(objects)) {
    out.objects[name] = Reflect.ownKeys(o).map((k) => label(k) + ': ' + kind(o, k) + ': ' +
      (k === 'caller' || k === 'arguments' ? '(poison)' : describe(o[k])));
  }
  // The source text of every function of the guarded objects, as a length
  // and a checksum.
  function checksum(s) {
    let h = 0;
    for (let i = 0; i < s.length; i++) {
      h = (h * 31 + s.charCodeAt(i)) % 2147483647;
    }
    return s.length + '/' + h;
  }
  out.sources = {};
  for (const [name, o] of Object.entries({
    'Array': Array, 'Array.prototype': Array.prototype, 'String.prototype': String.prototype,
    'Function.prototype': Function.prototype, 'RegExp.prototype': RegExp.prototype, 'JSON': JSON, 'Reflect': Reflect,
    'Proxy': Proxy, 'global': globalThis,
  })) {
    out.sources[name] = Reflect.ownKeys(o).filter((k) => {
      const d = Object.getOwnPropertyDescriptor(o, k);
      return d !== undefined && 'value' in d && typeof d.value === 'function';
    }).map((k) => label(k) + ': ' + checksum(Function.prototype.toString.call(o[k])));
  }

  const AP = Array.prototype;
  out.identities = {
    'values is [Symbol.iterator]': AP.values === AP[Symbol.iterator],
    'keys is not values': AP.keys !== AP.values,
    'map stays the same': AP.map === [].map,
    'Uint8Array.prototype.constructor': Uint8Array.prototype.constructor === Uint8Array,
    'ArrayBuffer.prototype.constructor': ArrayBuffer.prototype.constructor === ArrayBuffer,
    'Uint8Array instanceof': new Uint8Array(2) instanceof Uint8Array,
    'Proxy.revocable': typeof Proxy.revocable,
    'JSON.parse works': JSON.parse('{"a":[1,2]}').a[1] === 2,
    'global is globalThis': g.global === g,
  };

  const attempts = {
    'map over a huge array-like': () => AP.map.call({ length: 2 ** 30 }, (x) => x),
    'spread of a huge sparse array': () => [...new Array(2 ** 30)],
    'apply with too many arguments': () => Math.max.apply(null, { length: 2 ** 20 }),
    'Reflect.apply with too many arguments': () => Reflect.apply(Math.max, null, { length: 2 ** 20 }),
    'Proxy without new': () => Proxy({}, {}),
    'deep proxies': () => { let p = {}; for (let i = 0; i < 1100; i++) { p = new Proxy(p, {}); } },
    'deep bind': () => { let f = function () {}; for (let i = 0; i < 1100; i++) { f = f.bind(null); } },
    'JSON.parse of bad text': () => JSON.parse('{"a":'),
    'JSON.parse too deep': () => JSON.parse('['.repeat(2000) + ']'.repeat(2000), (k, v) => v),
    'deep array join': () => { let a = []; for (let i = 0; i < 1100; i++) { a = [a]; } return a.join(); },
    'localeCompare of long strings': () => 'a'.repeat(1 << 17).localeCompare('b'),
    'setTimeout without a function': () => setTimeout(1),
    'Uint8Array called': () => Uint8Array(2),
    'Buffer of a bad argument': () => Buffer.from(Symbol('x')),
  };
  out.errors = {};
  for (const [name, f] of Object.entries(attempts)) {
    try {
      f();
      out.errors[name] = 'no error';
    } catch (e) {
      out.errors[name] = (e && e.constructor ? e.constructor.name : typeof e) + ': ' + (e && e.message);
    }
  }
  return JSON.stringify(out, null, 1);
})()
