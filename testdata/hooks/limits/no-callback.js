// Returns without calling back and leaves nothing scheduled.
module.exports = function (user, context, cb) {
  console.log('forgot to call back');
};
