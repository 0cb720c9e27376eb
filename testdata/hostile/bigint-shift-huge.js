// A shift count past 2**64: math/big would take it modulo 2**64.
module.exports = function (user, context, cb) {
  cb(null, { user: { big: String(1n << (2n ** 64n + 100000000000n)) } });
};
