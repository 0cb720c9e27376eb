// An error with extra own properties: they all reach the envelope.
module.exports = function (user, context, cb) {
  const err = new Error('quota exceeded');
  err.code = 'E_QUOTA';
  err.retryAfter = 30;
  cb(err);
};
