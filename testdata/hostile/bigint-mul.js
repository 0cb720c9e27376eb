// Squaring a BigInt over and over: each step doubles its size.
module.exports = function (user, context, cb) {
  let x = 3n;
  for (;;) {
    x = x * x;
  }
};
