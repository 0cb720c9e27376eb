// padStart asked for a gigabyte.
module.exports = function (user, context, cb) {
  cb(null, ''.padStart(2 ** 30, '*').length);
};
