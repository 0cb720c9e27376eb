exports.onExecuteCredentialsExchange = async (event, api) => {
  if (event.transaction.requested_scopes.includes('update:users')) {
    api.access.deny('invalid_scope', 'Scope is not permitted.');
  }
};
