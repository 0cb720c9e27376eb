// notify.js with its background work held by the test's `gate` module:
// the notification waits until the test lets it go, after Run returned.
const gate = require('gate');

module.exports = function (user, context, cb) {
  setTimeout(() => {
    gate.wait();
    console.log(`notified #signups about ${user.email}`);
  }, 0);
  cb();
};
