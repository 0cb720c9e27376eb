// One BigInt operator that computes for minutes in math/big: no interrupt
// reaches it.
module.exports = function (user, context, cb) {
  const x = 10n ** 100000000n;
  cb(null, { user: { app_metadata: { bits: x > 0n } } });
};
