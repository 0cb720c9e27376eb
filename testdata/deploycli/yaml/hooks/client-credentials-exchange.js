module.exports = function (client, scope, audience, context, cb) {
  const accessToken = {};
  accessToken['https://acme.example/has_key'] = context.webtask.secrets['api-key'] === 'my custom api key';
  accessToken.scope = scope;
  cb(null, accessToken);
};
