exports.onExecutePreUserRegistration = async (event, api) => {
  api.user.setUserMetadata('screen_name', event.user.username);
  api.user.setAppMetadata('plan', 'free');
};
