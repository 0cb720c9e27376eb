// An async hook that waits on a timer and a promise chain before answering.
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function score(email) {
  await sleep(50);
  return Promise.resolve(email.length)
    .then((n) => n * 2)
    .then((n) => Math.min(n, 100));
}

module.exports = async function (user, context, cb) {
  const risk = await score(user.email);
  console.log('risk score', risk);
  cb(null, { user: { app_metadata: { risk } } });
};
