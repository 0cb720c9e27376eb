// The largest BigInt a run may make, printed over and over.
module.exports = function (user, context, cb) {
  let x = 7n;
  let s = "";
  try {
    for (;;) {
      x = x * 7n;
      if (x.toString(2).length > 100000) break;
    }
  } catch (e) {}
  for (;;) {
    s = x.toString();
  }
};
