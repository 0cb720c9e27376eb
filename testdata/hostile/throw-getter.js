// An error whose properties throw when read.
module.exports = function (user, context, cb) {
  const err = new Error('boom');
  Object.defineProperty(err, 'message', { get() { throw new Error('nested'); } });
  Object.defineProperty(err, 'extra', { enumerable: true, get() { throw new Error('again'); } });
  cb(err);
};
