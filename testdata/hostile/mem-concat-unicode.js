// Doubling a non-ASCII string, which goja keeps at two bytes per unit.
module.exports = function (user, context, cb) {
  let s = "\u00e9";
  for (;;) {
    s += s;
  }
};
