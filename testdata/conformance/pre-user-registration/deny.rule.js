function (user, context, callback) {
  if (context.request.language === 'fr') {
    return callback(new PreUserRegistrationError('signup from a blocked locale', 'You are not allowed to register.'));
  }
  callback();
}
