// pre-user-registration: looks the user up in a CRM with superagent and
// keeps the account's tier.
const superagent = require('superagent');

module.exports = function (user, context, cb) {
  const s = context.webtask.secrets;
  superagent
    .post(s.CRM_URL + '/lookup')
    .set('Authorization', 'Token ' + s.CRM_TOKEN)
    .query({ source: 'auth0' })
    .send({ email: user.email })
    .then((res) => cb(null, { user: { app_metadata: { tier: res.body.tier } } }))
    .catch((err) => cb(err));
};
