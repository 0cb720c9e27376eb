// Calls back at once, then gets stuck in a native in work it left running.
module.exports = function (user, context, cb) {
  setTimeout(function () { require('stall').block(); }, 0);
  cb(null, { user: { app_metadata: { answered: true } } });
};
