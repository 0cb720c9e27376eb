exports.onExecutePreUserRegistration = async (event, api) => {
  throw new Error('the registration service is down');
};
