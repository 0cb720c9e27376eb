// Asks for the module named by the secret MODULE.
module.exports = function (user, context, cb) {
  try {
    require(context.webtask.secrets.MODULE);
    cb(null, { loaded: true });
  } catch (err) {
    cb(null, { loaded: false, message: err.message, code: err.code });
  }
};
