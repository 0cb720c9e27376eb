// Fetches, one after the other, responses of the sizes listed in the secret
// SIZES (comma-separated) and reports, for each, the bytes it got or the
// error it saw.
module.exports = async function (user, context, cb) {
  const out = [];
  for (const size of context.webtask.secrets.SIZES.split(',')) {
    try {
      const res = await fetch(context.webtask.secrets.API + '/bytes/' + size);
      out.push((await res.text()).length);
    } catch (e) {
      out.push(e.name + ': ' + e.message + ' (' + e.limit + ')');
    }
  }
  cb(null, out);
};
