// A bug users do write: the loop index is never advanced, so the hook spins
// until its CPU limit stops it.
var ALLOWED = ['acme.example', 'partner.example'];

module.exports = function (user, context, cb) {
  var i = 0;
  var allowed = false;
  while (i < ALLOWED.length) {
    if (user.email.indexOf('@' + ALLOWED[i]) > 0) {
      allowed = true;
    }
  }
  cb(null, { user: { app_metadata: { allowed: allowed } } });
};
