// credentials-exchange: calls an internal API with a short-lived HS256
// token signed with jsonwebtoken, through node-fetch v2, and checks the
// token the API answers with before putting its claims in the access token.
const jwt = require('jsonwebtoken');
const fetch = require('node-fetch');

module.exports = async function (client, scope, audience, context, cb) {
  const s = context.webtask.secrets;
  const token = jwt.sign({ client_id: client.id, scope: scope }, s.SIGNING_KEY, { expiresIn: '5m', issuer: 'auth0-hooks', audience: 'internal-api' });
  try {
    const res = await fetch(s.API_URL + '/entitlements', { method: 'POST', headers: { Authorization: 'Bearer ' + token, 'Content-Type': 'application/json' }, body: JSON.stringify({ audience }) });
    if (!res.ok) {
      return cb(new Error('entitlements API answered ' + res.status));
    }
    const { grant } = await res.json();
    const claims = jwt.verify(grant, s.SIGNING_KEY, { algorithms: ['HS256'], issuer: 'internal-api' });
    let forged = 'accepted';
    try {
      jwt.verify(grant, 'another key', { algorithms: ['HS256'] });
    } catch (err) {
      forged = err.name + ': ' + err.message;
    }
    cb(null, { 'https://example.com/plan': claims.plan, 'https://example.com/forged': forged });
  } catch (err) {
    cb(err);
  }
};
