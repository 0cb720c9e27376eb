module.exports = function (user, context, cb) {
  Object.prototype.polluted = 'yes';
  Object.prototype.toJSON = function () { return 'hijacked'; };
  Object.defineProperty(Object.prototype, 'user_metadata', { get() { return { injected: true }; } });
  cb(null, { user: { app_metadata: { tampered: 'object' } } });
};
