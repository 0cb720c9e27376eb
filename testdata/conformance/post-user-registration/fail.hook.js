module.exports = async function (user, context, cb) {
  throw new Error('CRM unreachable');
};
