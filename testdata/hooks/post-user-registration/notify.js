// Like Auth0's Slack sample: answer at once, let the notification finish in
// the background.
module.exports = function (user, context, cb) {
  const started = Date.now();
  setTimeout(() => {
    console.log(`notified #signups about ${user.email} after ${Date.now() - started}ms`);
  }, 100);
  cb();
};
