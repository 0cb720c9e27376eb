// split("") of the longest string a run may make, the results kept: one
// value per character each time.
module.exports = function (user, context, cb) {
  const s = "x".repeat(1 << 20);
  const keep = [];
  for (;;) {
    keep.push(s.split(""));
  }
};
