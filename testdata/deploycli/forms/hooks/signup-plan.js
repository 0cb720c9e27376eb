/**
 * An Action moved from a tenant's Actions library.
 * @param {Event} event - Details about registration event.
 * @param {PreUserRegistrationAPI} api
 */
exports.onExecutePreUserRegistration = async (event, api) => {
  api.user.setAppMetadata('plan', event.secrets.PLAN);
};
