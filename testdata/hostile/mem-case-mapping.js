// Upper-casing a long string of sharp s, which doubles it, then doubling it again.
module.exports = function (user, context, cb) {
  let s = "\u00df".repeat(1 << 20);
  for (;;) {
    s = s.toUpperCase().toLowerCase();
    s = s + s;
  }
};
