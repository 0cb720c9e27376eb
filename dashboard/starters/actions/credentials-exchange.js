/**
 * credentials-exchange Action: runs when /oauth/token issues an access token
 * for the client credentials grant.
 *
 * event.client, event.resource_server, event.transaction.requested_scopes,
 * event.request, event.tenant, event.secrets.NAME
 * api.accessToken.setCustomClaim(name, value)   // sub, aud, scope... are left out
 * api.access.deny(code, reason)                 // invalid_scope, invalid_request or server_error
 * api.cache.get(key), api.cache.set(key, value, { ttl }), api.cache.delete(key)
 */
exports.onExecuteCredentialsExchange = async (event, api) => {
  // api.accessToken.setCustomClaim('https://example.com/client_name', event.client.name);
};
