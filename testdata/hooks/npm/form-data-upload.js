// post-user-registration: posts a multipart form (as Mailgun's and other
// upload APIs want) built with form-data, once sent by form-data itself
// (submit) and once as a body for fetch (getBuffer).
const FormData = require('form-data');

function form(user) {
  const f = new FormData();
  f.append('to', user.email);
  f.append('subject', 'Welcome');
  f.append('attachment', Buffer.from('hello, ' + user.email), { filename: 'welcome.txt', contentType: 'text/plain' });
  return f;
}

module.exports = function (user, context, cb) {
  const url = context.webtask.secrets.UPLOAD_URL;
  const f = form(user);
  f.submit(url + '/submit', (err, res) => {
    if (err) return cb(err);
    res.resume();
    res.on('end', async () => {
      try {
        const g = form(user);
        const r = await fetch(url + '/fetch', { method: 'POST', headers: g.getHeaders(), body: g.getBuffer() });
        cb(null, { submit: res.statusCode, fetch: r.status });
      } catch (e) {
        cb(e);
      }
    });
  });
};
