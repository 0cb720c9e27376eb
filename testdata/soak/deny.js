// Denies signups from disposable mail domains, naming the address in the
// message for the tenant logs; others get the address checked in
// app_metadata.
const DISPOSABLE = ['disposable.example', 'mailinator.example'];

module.exports = function (user, context, cb) {
  const domain = user.email.slice(user.email.lastIndexOf('@') + 1).toLowerCase();
  if (DISPOSABLE.includes(domain)) {
    return cb(new PreUserRegistrationError(
      'signup of ' + user.email + ' denied: disposable domain ' + domain,
      'Please sign up with a permanent email address.'));
  }
  cb(null, { user: { app_metadata: { checked_email: user.email } } });
};
