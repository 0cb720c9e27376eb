module.exports = function (client, scope, audience, context, cb) {
  cb(new Error('Unknown error occurred.'));
};
