// Any string past the length limit, however it is made, even if the error
// is caught: the run ends.
module.exports = function (user, context, cb) {
  let s = "x".repeat(1 << 19);
  try {
    s = `${s}${s}${s}`;
  } catch (e) {
    cb(null, { user: { caught: e.message } });
  }
};
