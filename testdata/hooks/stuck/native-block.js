// Calls a native that ignores interruption (the test's "stall" module
// blocks until the test releases it), after printing a line.
module.exports = function (user, context, cb) {
  console.log('before the native call');
  require('stall').block();
  cb(null, { user: { app_metadata: { unblocked: true } } });
};
