// Prints its secret, which the engine must redact wherever the line goes.
module.exports = function (user, context, cb) {
  console.log('the key is ' + context.webtask.secrets.KEY);
  cb(null, { user: {} });
};
