// Echoes the email of its input (tests give each run its own) and a secret,
// after a short timer so that runs overlap in a worker.
module.exports = function (user, context, cb) {
  console.log('echo ' + user.email);
  setTimeout(function () {
    cb(null, { user: { app_metadata: { email: user.email, key: context.webtask.secrets.KEY } } });
  }, 2);
};
