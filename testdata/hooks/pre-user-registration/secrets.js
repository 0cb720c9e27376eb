// Reads a secret and proves it reached the script without printing it whole.
module.exports = function (user, context, cb) {
  const key = context.webtask.secrets.API_KEY;
  console.log('using key', key);
  cb(null, { user: { app_metadata: { key_length: key ? key.length : 0, key_prefix: key ? key.slice(0, 2) : '' } } });
};
