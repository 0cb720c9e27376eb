// Records the password change in the audit log.
module.exports = function (user, context, cb) {
  var when = user.last_password_reset || 'unknown';
  console.log('password changed for ' + user.email + ' at ' + when +
    ' (' + context.connection.name + ')');
  cb();
};
