// Buffer.alloc of a terabyte, and allocUnsafe of a gigabyte.
module.exports = function (user, context, cb) {
  const small = Buffer.alloc(16).length;
  let big = 0;
  try {
    big = Buffer.allocUnsafe(2 ** 30).length;
  } catch (err) {
    // The memory limit ends the run even if the error is caught.
  }
  cb(null, { small, big, huge: Buffer.alloc(2 ** 40).length });
};
