// A native loop over 2^32-1 holes, which nothing could interrupt.
module.exports = function (user, context, cb) {
  cb(null, new Array(2 ** 32 - 1).includes('needle'));
};
