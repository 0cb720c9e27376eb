exports.onExecuteCredentialsExchange = async (event, api) => {
  api.accessToken.setCustomClaim('https://example.com/client_name', event.client.name);
  api.accessToken.setCustomClaim('https://example.com/audience', event.resource_server.identifier);
};
