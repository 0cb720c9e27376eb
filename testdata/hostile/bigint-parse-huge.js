// Fifty million decimal digits, as in the issue.
module.exports = function (user, context, cb) {
  cb(null, { user: { big: String(BigInt("9".repeat(5e7))) } });
};
