// A shift to a 1.25 GB BigInt, made in one allocation.
module.exports = function (user, context, cb) {
  cb(null, { user: { big: String(1n << 10000000000n) } });
};
