module.exports = async function (user, context, cb) {
  await Promise.resolve();
  throw new Error('lookup failed');
};
