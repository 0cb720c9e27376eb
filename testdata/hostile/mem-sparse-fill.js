// Filling an array of 2^32-1 holes.
module.exports = function (user, context, cb) {
  cb(null, new Array(2 ** 32 - 1).fill(0).length);
};
