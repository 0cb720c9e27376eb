// Spreading the longest string a run may make, the results kept.
module.exports = function (user, context, cb) {
  const s = "x".repeat(1 << 20);
  const keep = [];
  for (;;) {
    keep.push([...s]);
  }
};
