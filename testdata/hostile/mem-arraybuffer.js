// One ArrayBuffer of a terabyte.
module.exports = function (user, context, cb) {
  cb(null, new ArrayBuffer(2 ** 40).byteLength);
};
