exports.onExecutePreUserRegistration = async (event, api) => {
  api.user.setAppMetadata('blocked', false);
};
