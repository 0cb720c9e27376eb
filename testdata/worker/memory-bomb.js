// Grows memory fast: an array that doubles, each slot a fresh string.
module.exports = function (user, context, cb) {
  let a = ['x'.repeat(64)];
  for (;;) {
    const b = a.map(function (s, i) { return s + i; });
    a = a.concat(b);
  }
};
