/**
 * Proves it can read its secret: answers the length and first two
 * characters of API_KEY (the run endpoint redacts the value itself).
 */
module.exports = function (client, scope, audience, context, cb) {
  const key = context.webtask.secrets.API_KEY || '';
  cb(null, { 'https://example.com/key': key.length + ':' + key.slice(0, 2) });
};
