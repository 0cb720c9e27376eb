// Waits three seconds on a timer, using almost no CPU, then answers.
module.exports = function (user, context, cb) {
  setTimeout(() => cb(null, { user: { app_metadata: { slept: true } } }), 3000);
};
