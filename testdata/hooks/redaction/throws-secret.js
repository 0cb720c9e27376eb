// Throws an error holding the secret S from inside a built-in's callback.
module.exports = function (user, context, cb) {
  [1].map(function check() {
    throw new TypeError('bad key ' + context.webtask.secrets.S);
  });
};
