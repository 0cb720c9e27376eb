// Calls a native that burns CPU and ignores interruption until the test
// releases it.
module.exports = function (user, context, cb) {
  require('stall').spin();
  cb(null, {});
};
