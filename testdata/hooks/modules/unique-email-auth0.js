// Refuses a signup when the address already belongs to a user of another
// connection, through the auth0 Management API client (client credentials
// from the hook's secrets).
const { ManagementClient } = require('auth0');

module.exports = function (user, context, cb) {
  const management = new ManagementClient({
    domain: context.webtask.secrets.AUTH0_DOMAIN,
    clientId: context.webtask.secrets.CLIENT_ID,
    clientSecret: context.webtask.secrets.CLIENT_SECRET,
    scope: 'read:users',
  });

  management
    .getUsersByEmail(user.email)
    .then((users) => {
      const others = users.filter((u) => u.identities.some((i) => i.connection !== context.connection.name));
      if (others.length > 0) {
        return cb(new PreUserRegistrationError('duplicate email', 'An account with this email already exists.'));
      }
      cb(null, { user: { app_metadata: { existing_accounts: users.length } } });
    })
    .catch((err) => cb(err));
};
