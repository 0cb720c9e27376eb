// One BigInt operator that computes for minutes in math/big, where no
// interrupt reaches it, unless goja's BigInt size limit refuses it first
// (third_party/goja, as hookengine builds it).
module.exports = function (user, context, cb) {
  const x = 10n ** 100000000n;
  cb(null, { user: { app_metadata: { bits: x > 0n } } });
};
