function (user, context, callback) {
  user.user_metadata = user.user_metadata || {};
  user.user_metadata.screen_name = user.username;
  user.app_metadata = user.app_metadata || {};
  user.app_metadata.plan = 'free';
  callback(null, { user: user });
}
