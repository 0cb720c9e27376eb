module.exports = function (user, context, cb) {
  for (;;) { /* never yields */ }
};
