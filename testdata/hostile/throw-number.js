module.exports = function (user, context, cb) {
  throw 42;
};
