// An interval that is never cleared, and no callback.
module.exports = function (user, context, cb) {
  setInterval(() => {}, 5);
};
