// An array-like of 2**40 elements given to Buffer.from.
module.exports = function (user, context, cb) {
  Buffer.from({ length: 2 ** 40 });
  cb(null, { user: {} });
};
