module.exports = function (user, context, cb) {
  cb();
};
