// Adds namespaced claims to a client-credentials token: the client's name,
// a digest of its id, the tenant from the hook's secrets, and the read
// scopes it asked for plus one of its own.
const crypto = require('crypto');

const NAMESPACE = 'https://soak.example.com/';

module.exports = function (client, scope, audience, context, cb) {
  const digest = crypto.createHash('sha256').update(client.id).digest('hex');
  cb(null, {
    scope: (scope || []).filter((s) => s.startsWith('read:')).concat(['soak:run']),
    [NAMESPACE + 'client_name']: client.name,
    [NAMESPACE + 'client_digest']: digest,
    [NAMESPACE + 'tenant']: context.webtask.secrets.TENANT,
    [NAMESPACE + 'audience']: audience,
    sub: 'ignored-by-auth0',
  });
};
