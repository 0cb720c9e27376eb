// replace and replaceAll collect every match before building the result:
// a million of them.
module.exports = function (user, context, cb) {
  const s = "x".repeat(1 << 20);
  const a = s.replaceAll("x", "y");
  const b = s.replace(/x/g, "y");
  cb(null, { user: { n: a.length + b.length } });
};
