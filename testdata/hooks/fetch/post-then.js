// Posts JSON with .then chains inside a callback-style hook.
module.exports = function (user, context, cb) {
  fetch(context.webtask.secrets.API + '/signups', {
    method: 'POST',
    headers: new Headers({ 'Content-Type': 'application/json' }),
    body: JSON.stringify({ email: user.email }),
  })
    .then((res) => res.text().then((text) => cb(null, { status: res.status, echoed: text })))
    .catch((err) => cb(err));
};
