/**
 * send-phone-message Action: delivers an MFA code by SMS or voice through
 * your own provider. Throw to report that the message was not sent.
 *
 * event.message_options (recipient, text, code, message_type, action),
 * event.user, event.client, event.request, event.secrets.NAME
 * api.cache.get(key), api.cache.set(key, value, { ttl }), api.cache.delete(key)
 */
exports.onExecuteSendPhoneMessage = async (event, api) => {
  const { recipient, message_type } = event.message_options;
  console.log('would send a', message_type, 'to', recipient);
};
