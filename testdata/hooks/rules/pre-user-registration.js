function (user, context, callback) {
  user.app_metadata = user.app_metadata || {};
  user.app_metadata.plan = 'free';
  callback(null, { user });
}
