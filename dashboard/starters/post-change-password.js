/**
 * post-change-password: runs after a database user's password changed,
 * without holding up the change. Its result is ignored; a failure is only
 * logged. Use it to notify the user or other systems (fetch is available).
 *
 * Secrets: context.webtask.secrets.NAME
 */
module.exports = function (user, context, cb) {
  console.log('password changed for', user.id);
  cb();
};
