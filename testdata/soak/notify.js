// Like Auth0's Slack sample: answers at once, then sends the notification
// in the background (here a console line, which goes to the engine's log).
module.exports = function (user, context, cb) {
  cb();
  setTimeout(() => {
    console.log('welcome notification queued for ' + user.email);
  }, 1 + (user.email.length % 4));
};
