// NFKD of a long string, which grows it threefold, over and over.
module.exports = function (user, context, cb) {
  let s = "\u1e9b\u0323".repeat(1 << 19);
  for (;;) {
    s = s.normalize("NFKD") + s;
  }
};
