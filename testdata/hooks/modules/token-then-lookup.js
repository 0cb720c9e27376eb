// Adds the owner of the client to the access token: gets a Management API
// token with client credentials, then looks the owner up by the client's
// metadata. An async hook using axios with await.
const axios = require('axios').default;

module.exports = async function (client, scope, audience, context, cb) {
  const { AUTH0_DOMAIN, MGMT_CLIENT_ID, MGMT_CLIENT_SECRET } = context.webtask.secrets;
  try {
    const tokenResponse = await axios.post(`${AUTH0_DOMAIN}/oauth/token`, {
      grant_type: 'client_credentials',
      client_id: MGMT_CLIENT_ID,
      client_secret: MGMT_CLIENT_SECRET,
      audience: `${AUTH0_DOMAIN}/api/v2/`,
    });
    const { access_token } = tokenResponse.data;

    const { data: users } = await axios.get(`${AUTH0_DOMAIN}/api/v2/users`, {
      headers: { Authorization: `Bearer ${access_token}` },
      params: { q: `app_metadata.owned_client:"${client.id}"`, search_engine: 'v3', fields: 'email,user_id' },
    });

    const owner = users[0];
    cb(null, {
      scope: owner ? scope.concat('reports:own') : scope,
      'https://example.com/owner': owner ? owner.email : null,
    });
  } catch (err) {
    cb(new ServerError(`owner lookup failed: ${err.response ? err.response.status : err.message}`));
  }
};
