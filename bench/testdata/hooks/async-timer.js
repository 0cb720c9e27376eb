// Asks a (simulated) risk service about the signup: waits a millisecond, as
// a call to an API would, then scores the answer through a promise chain.
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function riskScore(user) {
  await sleep(1);
  return Promise.resolve(user.email)
    .then((email) => email.length * 3)
    .then((score) => Math.min(score, 100));
}

module.exports = async function (user, context, cb) {
  const risk = await riskScore(user);
  cb(null, { user: { app_metadata: { risk, review: risk > 50 } } });
};
