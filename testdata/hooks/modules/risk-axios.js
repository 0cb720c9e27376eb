// Scores a signup with a risk API, in the style of many public hooks:
// axios required once at module level, promise chain, secrets for the API.
// A 404 means the API does not know the address; any other failure denies
// the signup.
const axios = require('axios');

module.exports = function (user, context, cb) {
  const { RISK_API, RISK_API_KEY } = context.webtask.secrets;

  axios
    .get(`${RISK_API}/v1/score`, {
      params: { email: user.email, ip: context.request && context.request.ip },
      headers: { 'X-Api-Key': RISK_API_KEY },
      timeout: 5000,
    })
    .then((response) => {
      console.log(`risk score for ${user.email}: ${response.data.score}`);
      cb(null, { user: { app_metadata: { risk: response.data.score, checked_by: response.headers['x-engine'] } } });
    })
    .catch((error) => {
      if (error.response && error.response.status === 404) {
        return cb(null, { user: { app_metadata: { risk: 'unknown' } } });
      }
      console.error('risk check failed:', error.message, error.response ? error.response.data : '');
      cb(new PreUserRegistrationError('Risk check failed', 'We cannot create your account right now.'));
    });
};
