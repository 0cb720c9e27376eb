exports.onExecutePostChangePassword = async (event, api) => {
  console.log('password changed for ' + event.user.user_id);
};
