// Comparing a BigInt with a string of a million digits parses the string.
module.exports = function (user, context, cb) {
  const s = "9".repeat(1 << 20);
  let n = 0;
  for (let i = 0; i < 10; i++) {
    if (1n < s) n++;
    if (s == 1n) n--;
  }
  cb(null, { user: { n } });
};
