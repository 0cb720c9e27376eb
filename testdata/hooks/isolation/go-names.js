// Walks every global, the built-in modules and what they hold (statics,
// prototypes, accessors) and lists the functions whose name or source text
// shows a Go symbol (a package path, a method value): none may.
module.exports = function (user, context, cb) {
  const bad = [];
  const seen = new Set();
  function check(path, v, depth) {
    if (v === null || (typeof v !== 'object' && typeof v !== 'function') || seen.has(v) || depth > 3) return;
    seen.add(v);
    if (typeof v === 'function') {
      let n; try { n = v.name; } catch (e) {}
      if (typeof n === 'string' && /github|\(\*|-fm|\.go/.test(n)) bad.push(path + ' => ' + n);
      let s; try { s = Function.prototype.toString.call(v); } catch (e) {}
      if (typeof s === 'string' && /github|\(\*|-fm/.test(s)) bad.push(path + ' toString => ' + s.slice(0, 80));
    }
    let keys = [];
    try { keys = Reflect.ownKeys(v); } catch (e) {}
    for (const k of keys) {
      if (typeof k !== 'string') continue;
      let d; try { d = Object.getOwnPropertyDescriptor(v, k); } catch (e) { continue; }
      if (d && 'value' in d) check(path + '.' + k, d.value, depth + 1);
      if (d && d.get) check(path + '.get ' + k, d.get, depth + 1);
    }
  }
  check('globalThis', globalThis, 0);
  for (const m of ['util', 'crypto', 'url', 'buffer', 'events', 'querystring', 'path', 'axios', 'request', 'https', 'node-fetch', 'auth0']) {
    try { check('require(' + m + ')', require(m), 0); } catch (e) {}
  }
  cb(null, { user: { app_metadata: { bad: bad.slice(0, 60), count: bad.length } } });
};
