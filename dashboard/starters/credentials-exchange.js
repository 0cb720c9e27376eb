/**
 * credentials-exchange: runs when /oauth/token issues an access token to a
 * machine-to-machine client (client credentials grant).
 *
 * Call back with the access token's claims: "scope" (the scopes granted;
 * leave it out and none are), plus custom claims whose names are http(s)
 * URLs outside auth0.com, webtask.io and webtask.run. To refuse the token:
 * cb(new InvalidScopeError('...')) or cb(new InvalidRequestError('...')).
 *
 * Secrets: context.webtask.secrets.NAME
 */
module.exports = function (client, scope, audience, context, cb) {
  const claims = {};
  claims.scope = scope; // grant what the client asked for
  // claims['https://example.com/client_name'] = client.name;
  cb(null, claims);
};
