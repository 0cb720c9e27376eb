// The loop starts in a timer callback.
module.exports = function (user, context, cb) {
  setTimeout(() => { while (true) {} }, 1);
};
