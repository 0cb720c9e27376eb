// Buffer.concat asked for a terabyte.
module.exports = function (user, context, cb) {
  cb(null, { user: { n: Buffer.concat([Buffer.from("a")], 2 ** 40).length } });
};
