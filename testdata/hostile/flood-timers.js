// More timers than a hook may have.
module.exports = function (user, context, cb) {
  for (let i = 0; i < 1e6; i++) {
    setTimeout(() => {}, 60000);
  }
  cb(null, 'unreachable');
};
