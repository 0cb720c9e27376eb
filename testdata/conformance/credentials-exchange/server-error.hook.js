module.exports = function (client, scope, audience, context, cb) {
  cb(new ServerError('Policy service unavailable.'));
};
