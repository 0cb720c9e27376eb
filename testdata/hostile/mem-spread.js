// Spreading an array of 2^32-1 holes, which would walk every one of them.
module.exports = function (user, context, cb) {
  cb(null, Math.max(...new Array(2 ** 32 - 1)));
};
