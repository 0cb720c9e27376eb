// asUintN of a negative BigInt to 2**53-1 bits computes 2**(2**53-1).
module.exports = function (user, context, cb) {
  cb(null, { user: { big: String(BigInt.asUintN(2 ** 53 - 1, -1n)) } });
};
