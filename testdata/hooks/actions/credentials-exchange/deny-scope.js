exports.onExecuteCredentialsExchange = (event, api) => {
  if (event.transaction.requested_scopes.includes('delete:users')) {
    api.access.deny('invalid_scope', 'Scope is not permitted.');
    return;
  }
  api.accessToken.setCustomClaim('https://example.com/audience', event.resource_server.identifier);
};
