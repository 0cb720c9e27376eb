// Doubles a string: each step is one allocation twice the size of the
// last, so one of them jumps past a small worker's RLIMIT_DATA between two
// of the parent's RSS checks, and the worker's Go runtime dies with "fatal
// error: runtime: out of memory".
module.exports = function (user, context, cb) {
  let s = 'x'.repeat(1 << 20);
  for (;;) {
    s = s + s;
    if (s.charCodeAt(s.length - 1) !== 120) break;
  }
  cb(null, { user: {} });
};
