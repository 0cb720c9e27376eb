exports.onExecutePreUserRegistration = (event, api) => {
  throw new Error('the registration service is down');
};
