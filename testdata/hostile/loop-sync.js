// A busy loop that never yields.
module.exports = function (user, context, cb) {
  for (;;) { /* spin */ }
};
