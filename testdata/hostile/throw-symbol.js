module.exports = function (user, context, cb) {
  throw Symbol('odd');
};
