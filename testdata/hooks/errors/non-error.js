// The hook passes the value to test as its error through the secret VALUE,
// parsed as JSON.
module.exports = function (user, context, cb) {
  cb(JSON.parse(context.webtask.secrets.VALUE));
};
