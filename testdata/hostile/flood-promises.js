// Rejected promises nobody handles, as fast as possible.
module.exports = function (user, context, cb) {
  for (let i = 0; ; i++) {
    Promise.reject(new Error('unhandled ' + i));
  }
};
