// An async hook: waits on a timer (a pretend risk service), chains promises
// and answers from setImmediate. The username carries the run's token.
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function risk(username) {
  await sleep(1 + (username.length % 3));
  return Promise.resolve(username)
    .then((name) => name.length * 7)
    .then((n) => n % 100);
}

module.exports = async function (user, context, cb) {
  const score = await risk(user.username);
  setImmediate(() => {
    cb(null, {
      user: {
        app_metadata: { reviewed_username: user.username, risk: score, reviewed: true },
      },
    });
  });
};
