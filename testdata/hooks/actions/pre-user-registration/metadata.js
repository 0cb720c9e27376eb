/**
 * @param {Event} event - Details about registration event.
 * @param {PreUserRegistrationAPI} api
 */
exports.onExecutePreUserRegistration = async (event, api) => {
  api.user.setUserMetadata("screen_name", event.user.username);
  api.user.setAppMetadata("plan", "free");
  api.user.setAppMetadata("signup_connection", event.connection.name);
};
