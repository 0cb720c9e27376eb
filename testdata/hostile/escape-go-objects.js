// Looks for Go values reachable from scripts: every global, every property
// of the runtime's helpers, functions' sources.
module.exports = function (user, context, cb) {
  const suspicious = [];
  const seen = new Set();
  const visit = (value, path, depth) => {
    if (value === null || (typeof value !== 'object' && typeof value !== 'function') || seen.has(value) || depth > 3) {
      return;
    }
    seen.add(value);
    for (const key of Object.getOwnPropertyNames(value)) {
      let v;
      try { v = value[key]; } catch (e) { continue; }
      if (typeof v === 'function' && /^[A-Z]/.test(key) && /VM|Runtime|Engine|Begin|Interrupt/.test(key)) {
        suspicious.push(path + '.' + key);
      }
      visit(v, path + '.' + key, depth + 1);
    }
  };
  visit(globalThis, 'globalThis', 0);
  visit(context, 'context', 0);
  cb(null, { suspicious });
};
