// One allocation of a terabyte.
module.exports = function (user, context, cb) {
  cb(null, 'x'.repeat(2 ** 40).length);
};
