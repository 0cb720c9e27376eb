// The result is taken when the callback is called; later changes are lost.
module.exports = function (user, context, cb) {
  const res = { user: { app_metadata: { state: 'at-callback' } } };
  cb(null, res);
  res.user.app_metadata.state = 'changed-later';
};
