module.exports = function (user, context, cb) {
  cb(null, { count: 10n });
};
