exports.onExecuteCredentialsExchange = async (event, api) => {
  api.access.deny('access_denied', 'Not a code this trigger knows.');
};
