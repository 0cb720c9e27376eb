module.exports = function (user, context, cb) {
  console.log('welcome ' + user.email + ' on ' + context.connection.name);
  cb();
};
