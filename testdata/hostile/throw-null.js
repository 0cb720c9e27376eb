module.exports = function (user, context, cb) {
  throw null;
};
