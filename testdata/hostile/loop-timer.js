// A busy loop inside a timer callback.
module.exports = function (user, context, cb) {
  setTimeout(() => { for (;;) { /* spin */ } }, 1);
};
