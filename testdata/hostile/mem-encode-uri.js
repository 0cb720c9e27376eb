// encodeURIComponent of a long non-ASCII string: nine characters out per one in.
module.exports = function (user, context, cb) {
  let s = "\u20ac".repeat(1 << 18);
  for (;;) {
    s = encodeURIComponent(s);
  }
};
