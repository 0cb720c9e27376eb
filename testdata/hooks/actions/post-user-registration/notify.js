/**
 * @param {Event} event - Details about the context and user that has registered.
 * @param {PostUserRegistrationAPI} api - Methods and utilities to help change the behavior after a signup.
 */
exports.onExecutePostUserRegistration = async (event, api) => {
  console.log(`new user ${event.user.user_id} (${event.user.email}) on ${event.connection.name} in ${event.tenant.id}`);
};
