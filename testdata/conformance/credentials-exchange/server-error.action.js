exports.onExecuteCredentialsExchange = (event, api) => {
  api.access.deny('server_error', 'Policy service unavailable.');
};
