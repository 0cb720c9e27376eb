// Records the signup in the audit log. The signup does not wait for this
// hook; a failure would only be logged.
module.exports = function (user, context, cb) {
  console.log('signup', user.id, user.email, 'via', context.connection.name);
  cb();
};
