// Adds claims of every kind; only http(s) URLs outside Auth0's own domains
// survive into the token.
const NAMESPACE = 'https://api.example.com/claims/';

module.exports = function (client, scope, audience, context, cb) {
  const token = {
    scope: (scope || []).concat(['read:reports']),
    [NAMESPACE + 'tenant']: client.tenant,
    [NAMESPACE + 'plan']: (client.metadata && client.metadata.plan) || 'free',
    'http://legacy.example.org/audience': audience,
    'https://auth0.com/claims/admin': true,
    'https://login.auth0.com/x': 1,
    'https://tenant.webtask.io/y': 2,
    'https://webtask.run/z': 3,
    'ftp://files.example.com/claim': 4,
    sub: 'not-allowed',
    aud: 'https://evil.example.com',
  };
  cb(null, token);
};
