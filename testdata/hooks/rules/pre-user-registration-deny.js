// A bare function, as Auth0's API stored some hook scripts.
async function denyDisposable(user, context, callback) {
  if (user.email.endsWith('@mailinator.com')) {
    return callback(new PreUserRegistrationError('disposable address', 'Please use a permanent email address.'));
  }
  callback(null, { user: { app_metadata: { checked: true } } });
};
