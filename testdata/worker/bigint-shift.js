// One BigInt shift that allocates gigabytes, unless goja's BigInt size
// limit refuses it first (third_party/goja, as hookengine builds it).
module.exports = function (user, context, cb) {
  const x = 1n << 100000000000n;
  cb(null, { user: { app_metadata: { big: x > 0n } } });
};
