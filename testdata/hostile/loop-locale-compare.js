// localeCompare of two long strings that differ at the end, over and over:
// the collator cannot be interrupted.
module.exports = function (user, context, cb) {
  const a = "\u00e9".repeat(1 << 19) + "a";
  const b = "\u00e9".repeat(1 << 19) + "b";
  let n = 0;
  for (;;) {
    n += a.localeCompare(b);
  }
};
