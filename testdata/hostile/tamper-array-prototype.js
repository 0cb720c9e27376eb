module.exports = function (user, context, cb) {
  Array.prototype.push = function () { return -1; };
  Array.prototype.map = null;
  Array.isArray = () => false;
  cb(null, { user: { app_metadata: { tampered: 'array' } } });
};
