// A length getter that answers 1 to whatever checks it first and 2**32-1 to
// the built-in, which reads it again: Array.prototype.fill.
module.exports = function (user, context, cb) {
  let reads = 0;
  const o = { get length() { return reads++ ? 2 ** 32 - 1 : 1; } };
  const r = Array.prototype.fill.call(o, 0);
  cb(null, { user: { reads, r: typeof r } });
};
