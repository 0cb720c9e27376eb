// Records a password change in the audit log; the engine runs it with
// RunAsync, as Auth0 did not wait for post-change-password hooks.
module.exports = function (user, context, cb) {
  Promise.resolve().then(() => {
    console.log('password changed for ' + user.email + ' on ' + context.connection.name);
    cb();
  });
};
