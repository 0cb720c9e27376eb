/**
 * post-change-password Action: runs after a database user's password
 * changed, without holding up the change; a failure is only logged.
 *
 * event.user (user_id, email, last_password_reset...), event.connection,
 * event.request, event.tenant, event.secrets.NAME
 * api.cache.get(key), api.cache.set(key, value, { ttl }), api.cache.delete(key)
 */
exports.onExecutePostChangePassword = async (event, api) => {
  console.log('password changed for', event.user.email);
};
