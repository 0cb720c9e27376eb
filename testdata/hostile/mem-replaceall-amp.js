// replaceAll with $&, growing a string 1000-fold in one call.
module.exports = function (user, context, cb) {
  const s = "x".repeat(1 << 20);
  cb(null, { user: { n: s.replaceAll("x", "$&".repeat(1000)).length } });
};
