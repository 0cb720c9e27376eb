// Five million decimal digits: math/big parses them in quadratic time.
module.exports = function (user, context, cb) {
  cb(null, { user: { big: String(BigInt("9".repeat(5e6))) } });
};
