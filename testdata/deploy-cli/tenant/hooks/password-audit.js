/** Logs the user whose password changed. */
module.exports = function (user, context, cb) {
  console.log('password changed for', user.id);
  cb();
};
