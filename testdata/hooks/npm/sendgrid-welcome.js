// post-user-registration: a welcome e-mail through SendGrid's v3 mail send
// API with @sendgrid/mail. SENDGRID_BASE_URL, when set, points the client
// at another endpoint (its EU region, a test server).
const sgMail = require('@sendgrid/mail');

module.exports = function (user, context, cb) {
  const s = context.webtask.secrets;
  sgMail.setApiKey(s.SENDGRID_API_KEY);
  if (s.SENDGRID_BASE_URL) {
    sgMail.client.setDefaultRequest('baseUrl', s.SENDGRID_BASE_URL);
  }
  sgMail.send({
    to: user.email,
    from: 'welcome@example.com',
    subject: 'Welcome, ' + (user.name || user.email),
    text: 'Thanks for signing up.',
    html: '<p>Thanks for signing up.</p>',
  }).then(([response]) => cb(null, { status: response.statusCode, messageId: response.headers['x-message-id'] }))
    .catch((err) => cb(err));
};
