// Sets user_metadata and app_metadata from what the signup carries: the
// language the signup page was shown in, the newsletter choice, where the
// request came from, and a plan picked from the email domain.
module.exports = function (user, context, cb) {
  var email = (user.email || '').toLowerCase();
  var domain = email.split('@')[1] || '';
  var response = { user: {} };
  response.user.user_metadata = {
    language: context.renderLanguage || context.requestLanguage || 'en',
    newsletter: !!(user.user_metadata && user.user_metadata.newsletter),
    signup_ip: context.request ? context.request.ip : null
  };
  response.user.app_metadata = {
    plan: domain === 'acme.example' ? 'enterprise' : 'free',
    tenant: context.connection.tenant,
    connection: context.connection.name,
    roles: ['user']
  };
  cb(null, response);
};
