/**
 * post-user-registration: runs after a database connection created a user,
 * without holding up the signup. Its result is ignored; a failure is only
 * logged. Use it to notify other systems (fetch is available).
 *
 * Secrets: context.webtask.secrets.NAME
 */
module.exports = function (user, context, cb) {
  console.log('new user', user.id, 'on', context.connection.name);
  cb();
};
