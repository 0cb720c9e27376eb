// A typed array of a billion doubles.
module.exports = function (user, context, cb) {
  cb(null, new Float64Array(1e9).length);
};
