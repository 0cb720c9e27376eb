// Calls a Go function that spins and never looks at the watchdog's
// interrupt: what a stuck native call does. The console line is written
// from inside that call, so a test that reacts to it knows the script is
// past every point an interrupt could still reach.
const stuck = require('test-stuck');

module.exports = function (user, context, cb) {
  stuck.spin(60000, () => console.log('before the loop'));
  cb(null, { user: {} });
};
