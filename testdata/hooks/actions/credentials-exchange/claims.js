/**
 * @param {Event} event - Details about client credentials grant request.
 * @param {CredentialsExchangeAPI} api - Interface whose methods can be used to change the behavior of client credentials grant.
 */
exports.onExecuteCredentialsExchange = async (event, api) => {
  api.accessToken.setCustomClaim('https://example.com/client_name', event.client.name);
  api.accessToken.setCustomClaim('https://example.com/plan', event.client.metadata.plan);
  api.accessToken.setCustomClaim('tenant', event.tenant.id);
  // Auth0 leaves restricted and reserved names out of the token.
  api.accessToken.setCustomClaim('sub', 'someone-else');
  api.accessToken.setCustomClaim('https://auth0.com/claim', 'reserved');
};
