// A credentials-exchange hook calling the URL of its secret URL three
// times at once, as fast as the engine lets it; it answers the statuses it
// got (or the errors), for the multi-replica test of hooks serve.
module.exports = async function (client, scope, audience, context, cb) {
  const url = context.webtask.secrets.URL;
  const statuses = await Promise.all([0, 1, 2].map(() =>
    fetch(url).then((r) => String(r.status), (err) => 'error: ' + err.message)));
  cb(null, { 'https://example.com/statuses': statuses.join(',') });
};
