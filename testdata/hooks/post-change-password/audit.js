// Records the password change; a failure would only be logged.
module.exports = function (user, context, cb) {
  console.log('password changed', user.email, user.last_password_reset, context.connection.name);
  cb();
};
