module.exports = function (client, scope, audience, context, cb) {
  var access_token = {};
  access_token['https://example.com/client_name'] = client.name;
  access_token['https://example.com/audience'] = audience;
  access_token.scope = scope;
  cb(null, access_token);
};
