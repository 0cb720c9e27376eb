// Adds the client's name, tenant and plan to the access token as namespaced
// claims, and grants the read:reports scope every machine client gets.
var NAMESPACE = 'https://api.acme.example/';

module.exports = function (client, scope, audience, context, cb) {
  var token = {};
  token.scope = (scope || []).slice();
  if (token.scope.indexOf('read:reports') < 0) {
    token.scope.push('read:reports');
  }
  token[NAMESPACE + 'client_name'] = client.name;
  token[NAMESPACE + 'tenant'] = client.tenant;
  token[NAMESPACE + 'plan'] = (client.metadata && client.metadata.plan) || 'free';
  token[NAMESPACE + 'audience'] = audience;
  cb(null, token);
};
