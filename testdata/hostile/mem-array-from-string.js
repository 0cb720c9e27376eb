// Array.from of the longest string a run may make, the results kept.
module.exports = function (user, context, cb) {
  const s = "x".repeat(1 << 20);
  const keep = [];
  for (;;) {
    keep.push(Array.from(s));
  }
};
