module.exports = function (user, context, cb) {
  var response = {};
  response.user = {
    user_metadata: Object.assign({}, user.user_metadata, { screen_name: user.username }),
    app_metadata: Object.assign({}, user.app_metadata, { plan: 'free' }),
  };
  cb(null, response);
};
