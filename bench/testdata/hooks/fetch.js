// Asks the tenant's profile service about the new user and stores its
// answer. PROFILE_API is the service's base URL; the fetch scenario points it
// at a local test server.
module.exports = async function (user, context, cb) {
  const res = await fetch(context.webtask.secrets.PROFILE_API + '/risk?email=' +
    encodeURIComponent(user.email));
  if (!res.ok) {
    return cb(new PreUserRegistrationError('profile service answered ' + res.status));
  }
  const profile = await res.json();
  cb(null, { user: { app_metadata: { risk: profile.risk, segment: profile.segment } } });
};
