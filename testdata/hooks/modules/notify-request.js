// Tells a chat channel about each new user through an incoming webhook,
// with the request package. Post-registration hooks do not hold up the
// signup, so it calls back at once and lets the request finish on its own.
const request = require('request');

module.exports = function (user, context, cb) {
  const WEBHOOK = context.webtask.secrets.CHAT_WEBHOOK_URL;
  const message = {
    text: `New signup: ${user.email || user.username} (${context.connection.name})`,
    channel: '#signups',
  };

  request.post({ url: WEBHOOK, json: message, timeout: 3000 }, (err, response, body) => {
    if (err) {
      return console.error('notification failed:', err.message);
    }
    console.log(`notification sent: ${response.statusCode} ${body.ok}`);
  });

  cb();
};
