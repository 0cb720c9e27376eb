// post-user-registration: tells a Slack channel through an incoming
// webhook with @slack/webhook (Auth0's Slack sample does the same with
// request).
const { IncomingWebhook } = require('@slack/webhook');

module.exports = function (user, context, cb) {
  const webhook = new IncomingWebhook(context.webtask.secrets.SLACK_WEBHOOK_URL);
  webhook.send({ text: 'New user: ' + user.email, username: 'auth0' })
    .then((res) => cb(null, { text: res.text }))
    .catch((err) => cb(err));
};
