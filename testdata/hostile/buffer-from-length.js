// Buffer.from an array-like claiming a terabyte.
module.exports = function (user, context, cb) {
  cb(null, { user: { n: Buffer.from({ length: 2 ** 40 }).length } });
};
