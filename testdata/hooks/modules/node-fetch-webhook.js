// Reports password changes to an audit service with node-fetch (v2, whose
// default export is fetch).
const fetch = require('node-fetch');

module.exports = function (user, context, cb) {
  fetch(context.webtask.secrets.AUDIT_URL + '/events', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ type: 'password_changed', user: user.id, connection: context.connection.name }),
  })
    .then((res) => {
      if (!res.ok) {
        throw new Error(`audit service answered ${res.status}`);
      }
      return res.json();
    })
    .then((json) => cb(null, { recorded: json.id }))
    .catch((err) => cb(err));
};
