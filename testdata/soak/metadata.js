// Sets metadata from the signup: the address the user signed up with goes
// into app_metadata (the run's token rides in it), with tags from its local
// part and the plan its domain gets.
const ENTERPRISE_DOMAINS = ['example.com', 'acme.example'];

module.exports = function (user, context, cb) {
  const at = user.email.lastIndexOf('@');
  const local = user.email.slice(0, at);
  const domain = user.email.slice(at + 1).toLowerCase();
  const tags = [];
  for (const part of local.split(/[+.]/)) {
    if (part) tags.push(part.toLowerCase());
  }
  cb(null, {
    user: {
      user_metadata: Object.assign({}, user.user_metadata, {
        language: context.renderLanguage || 'en',
      }),
      app_metadata: {
        signup_email: user.email,
        plan: ENTERPRISE_DOMAINS.includes(domain) ? 'enterprise' : 'free',
        connection: context.connection.name,
        tags: tags.map((t) => t.replace(/[^a-z0-9-]/g, '')),
      },
    },
  });
};
