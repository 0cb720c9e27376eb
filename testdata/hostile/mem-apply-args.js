// An argument list of four billion entries.
module.exports = function (user, context, cb) {
  cb(null, Math.max.apply(null, { length: 2 ** 32 - 1 }));
};
