module.exports = function (user, context, cb) {
  console.log('password changed for ' + user.email);
  cb();
};
