module.exports = function (user, context, cb) {
  cb(null, { user: { app_metadata: { plan: 'free', region: '##REGION##' } } });
};
