exports.onExecutePostUserRegistration = async (event, api) => {
  console.log('welcome ' + event.user.email + ' on ' + event.connection.name);
};
