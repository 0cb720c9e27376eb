module.exports = function (client, scope, audience, context, cb) {
  cb(null, { scope: scope, 'https://example.com/key_id': context.webtask.secrets.KEY_ID });
};
