module.exports = function (user, context, cb) {
  setTimeout(() => {
    JSON.parse('{not json');
  }, 1);
};
