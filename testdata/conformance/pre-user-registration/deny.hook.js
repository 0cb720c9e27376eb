module.exports = function (user, context, cb) {
  if (context.request.language === 'fr') {
    return cb(new PreUserRegistrationError('signup from a blocked locale', 'You are not allowed to register.'));
  }
  cb();
};
