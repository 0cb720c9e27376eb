module.exports = function (user, context, cb) {
  cb(null, { user: { app_metadata: { first: true } } });
  cb(new Error('second call'));
  cb(null, { user: { app_metadata: { third: true } } });
};
