// A BigInt literal of half a million digits, compiled at run time.
module.exports = function (user, context, cb) {
  cb(null, { user: { big: String(eval("9".repeat(5e5) + "n")) } });
};
