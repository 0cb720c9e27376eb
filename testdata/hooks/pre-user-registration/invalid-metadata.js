// Returns metadata names a database cannot store.
module.exports = function (user, context, cb) {
  cb(null, { user: { user_metadata: { profile: { 'first.name': user.email } } } });
};
