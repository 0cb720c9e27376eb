module.exports = function (client, scope, audience, context, cb) {
  cb(new ServerError('Upstream policy service is down.'));
};
