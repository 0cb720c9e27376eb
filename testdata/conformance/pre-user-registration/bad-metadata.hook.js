module.exports = function (user, context, cb) {
  cb(null, { user: { user_metadata: Object.assign({}, user.user_metadata, { 'preference.color': 'pink' }) } });
};
