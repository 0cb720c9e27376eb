exports.onExecutePostUserRegistration = async (event, api) => {
  throw new Error('CRM unreachable');
};
