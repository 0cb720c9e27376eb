/**
 * pre-user-registration: runs before a database connection creates a user.
 *
 * Call back with the metadata to store on the new user:
 *   cb(null, { user: { user_metadata: {...}, app_metadata: {...} } })
 * Property names may not start with "$" or contain ".". To refuse the signup:
 *   cb(new PreUserRegistrationError('for the logs', 'for the user'))
 *
 * Secrets: context.webtask.secrets.NAME
 */
module.exports = function (user, context, cb) {
  const response = { user: { user_metadata: {}, app_metadata: {} } };
  // response.user.app_metadata.plan = 'free';
  cb(null, response);
};
