module.exports = function (user, context, cb) {
  Function.prototype.call = function () { return 'hijacked'; };
  Function.prototype.apply = function () { return 'hijacked'; };
  Function.prototype.bind = function () { return () => 'hijacked'; };
  cb(null, { user: { app_metadata: { tampered: 'function' } } });
};
