function (client, scope, audience, context, cb) {
  var access_token = {};
  access_token['https://example.com/claim'] = 'bar';
  access_token.scope = scope;
  cb(null, access_token);
}
