module.exports = function (user, context, cb) {
  Promise.prototype.then = function () { return this; };
  globalThis.Promise = function () { throw new Error('no promises for you'); };
  cb(null, { user: { app_metadata: { tampered: 'promise' } } });
};
