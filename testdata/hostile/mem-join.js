// join of a sparse array with a long separator: gigabytes of separators.
module.exports = function (user, context, cb) {
  cb(null, new Array(1e6).join('x'.repeat(1000)).length);
};
