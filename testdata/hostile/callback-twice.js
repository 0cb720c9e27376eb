module.exports = function (user, context, cb) {
  cb(null, { user: { app_metadata: { first: true } } });
  cb(null, { user: { app_metadata: { second: true } } });
};
