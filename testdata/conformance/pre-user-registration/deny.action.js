exports.onExecutePreUserRegistration = async (event, api) => {
  if (event.request.language === 'fr') {
    api.access.deny('signup from a blocked locale', 'You are not allowed to register.');
  }
};
