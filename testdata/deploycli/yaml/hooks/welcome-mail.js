module.exports = function (user, context, cb) {
  console.log('welcome mail to', user.email, 'from', '##SENDER##');
  cb();
};
