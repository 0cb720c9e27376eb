// String.raw over a raw array-like of 2**40 segments.
module.exports = function (user, context, cb) {
  cb(null, { user: { n: String.raw({ raw: { length: 2 ** 40 } }, "x").length } });
};
