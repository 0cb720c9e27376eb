// Calls a Go function that spins and never looks at the watchdog's
// interrupt: what a stuck native call does.
module.exports = function (user, context, cb) {
  console.log('before the loop');
  require('test-stuck').spin(60000);
  cb(null, { user: {} });
};
