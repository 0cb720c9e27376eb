// Auth0's send-phone-message sample: the code goes out by SMS through
// Twilio's Messages API with the twilio package. TWILIO_BASE_URL, when set,
// points the client at a Twilio-compatible endpoint, as test set-ups and
// proxies do.
const twilio = require('twilio');

module.exports = function (recipient, text, context, cb) {
  const { TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, TWILIO_FROM, TWILIO_BASE_URL } = context.webtask.secrets;
  const client = twilio(TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN);
  if (TWILIO_BASE_URL) {
    client.api.baseUrl = TWILIO_BASE_URL;
  }
  client.messages
    .create({ body: text, to: recipient, from: TWILIO_FROM })
    .then((message) => cb(null, { sid: message.sid, status: message.status, to: message.to }))
    .catch((err) => cb(err));
};
