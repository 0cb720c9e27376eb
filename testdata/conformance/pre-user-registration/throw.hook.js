module.exports = async function (user, context, cb) {
  throw new Error('the registration service is down');
};
