// Replacing each character with itself many times over, with $&.
module.exports = function (user, context, cb) {
  const s = "x".repeat(1 << 20);
  cb(null, { user: { n: s.replace(/x/g, "$&".repeat(1000)).length } });
};
