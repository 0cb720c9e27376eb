// Sets user_metadata and app_metadata from what the signup carries.
module.exports = function (user, context, cb) {
  const domain = user.email.split('@')[1];
  const response = {
    user: {
      user_metadata: Object.assign({}, user.user_metadata, {
        language: context.renderLanguage || 'en',
        signup_ip: context.request && context.request.ip,
      }),
      app_metadata: {
        plan: domain === 'example.com' ? 'enterprise' : 'free',
        connection: context.connection.name,
      },
    },
  };
  cb(null, response);
};
