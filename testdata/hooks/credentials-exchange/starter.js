/**
 * Starter credentials-exchange hook: grant the requested scopes and add one
 * namespaced claim.
 *
 * @param {object} client - the application asking for a token
 * @param {string[]} scope - the scopes it asked for
 * @param {string} audience - the API the token is for
 * @param {object} context - context.webtask.secrets holds the hook's secrets
 * @param {function} cb - cb(error, accessTokenClaims)
 */
module.exports = function (client, scope, audience, context, cb) {
  const accessToken = {};
  accessToken['https://example.com/client_name'] = client.name;
  accessToken.scope = scope;
  cb(null, accessToken);
};
