exports.onExecutePostLogin = async (event, api) => {
  api.access.deny('not this trigger');
};
