// The script sees the error a runaway match ends with, not "no match".
module.exports = function (user, context, cb) {
  try {
    const matched = /^(?=x)(x|xx)+y$/.test('x'.repeat(60));
    cb(null, { matched });
  } catch (err) {
    cb(null, { caught: err.name });
  }
};
