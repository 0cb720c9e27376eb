// One string larger than the run's memory limit.
module.exports = function (user, context, cb) {
  cb(null, 'abcd'.repeat(50e6).length);
};
