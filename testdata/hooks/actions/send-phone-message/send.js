/**
 * @param {Event} event - Details about the user and the context in which they are logging in.
 * @param {SendPhoneMessageAPI} api - Methods and utilities to help change the behavior of sending a phone message.
 */
exports.onExecuteSendPhoneMessage = async (event, api) => {
  const { recipient, text, message_type, action } = event.message_options;
  if (!event.secrets.PROVIDER_KEY) {
    throw new Error('PROVIDER_KEY is not set');
  }
  console.log(`${message_type} (${action}) to ${recipient} from ${event.request.ip}: ${text}`);
};
