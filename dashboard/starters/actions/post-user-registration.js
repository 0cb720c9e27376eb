/**
 * post-user-registration Action: runs after a database connection created a
 * user, without holding up the signup; a failure is only logged.
 *
 * event.user (user_id, email, user_metadata...), event.connection,
 * event.request, event.tenant, event.secrets.NAME
 * api.cache.get(key), api.cache.set(key, value, { ttl }), api.cache.delete(key)
 */
exports.onExecutePostUserRegistration = async (event, api) => {
  console.log('new user', event.user.user_id);
};
