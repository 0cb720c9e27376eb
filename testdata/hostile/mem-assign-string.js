// Object.assign from the longest string a run may make: one property per
// character, the results kept.
module.exports = function (user, context, cb) {
  const s = "x".repeat(1 << 20);
  const keep = [];
  for (;;) {
    keep.push(Object.assign({}, s));
  }
};
