module.exports = function (user, context, cb) {
  // Forgets to call back, and schedules nothing.
};
