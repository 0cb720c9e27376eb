// Never calls back, and keeps the loop alive with an interval.
module.exports = function (user, context, cb) {
  setInterval(() => {}, 10);
};
