module.exports = function (client, scope, audience, context, cb) {
  if (!audience.startsWith('https://')) {
    cb(new InvalidRequestError('Bad request.'));
    return;
  }
  cb(null, { scope });
};
