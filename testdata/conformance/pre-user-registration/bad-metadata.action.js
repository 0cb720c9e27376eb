exports.onExecutePreUserRegistration = async (event, api) => {
  api.user.setUserMetadata('preference.color', 'pink');
};
