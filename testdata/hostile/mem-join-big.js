// join of a few big strings: each part within the limit, the result not.
module.exports = function (user, context, cb) {
  const s = "x".repeat(1 << 20);
  cb(null, { user: { n: [s, s, s, s, s, s, s, s].join(s).length } });
};
