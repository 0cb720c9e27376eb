/**
 * pre-user-registration Action: runs before a database connection creates a
 * user.
 *
 * event.user, event.connection, event.request (ip, geoip, language...),
 * event.client, event.tenant, event.secrets.NAME
 * api.user.setUserMetadata(key, value), api.user.setAppMetadata(key, value)   // null removes
 * api.access.deny(reason, userMessage), api.validation.error(code, message)
 * api.cache.get(key), api.cache.set(key, value, { ttl }), api.cache.delete(key)
 */
exports.onExecutePreUserRegistration = async (event, api) => {
  // api.user.setAppMetadata('plan', 'free');
};
