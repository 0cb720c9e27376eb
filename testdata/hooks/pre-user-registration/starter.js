/**
 * Starter pre-user-registration hook: pass the user through unchanged.
 *
 * @param {object} user - the user signing up
 * @param {object} context - connection, renderLanguage, request, webtask
 * @param {function} cb - cb(error, response)
 */
module.exports = function (user, context, cb) {
  const response = {};
  response.user = user;
  cb(null, response);
};
