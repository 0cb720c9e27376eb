// Answers, then spins in the background until the limit stops it.
module.exports = function (user, context, cb) {
  cb(null, { answered: true });
  setTimeout(() => { for (;;) { /* spin */ } }, 1);
};
