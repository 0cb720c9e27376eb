module.exports = function (user, context, cb) {
  JSON.stringify = () => '"hijacked"';
  JSON.parse = () => ({ hijacked: true });
  cb(null, { user: { app_metadata: { tampered: 'json' } } });
};
