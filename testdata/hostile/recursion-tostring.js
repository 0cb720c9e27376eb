// A toString that converts itself to a string.
module.exports = function (user, context, cb) {
  const o = { toString() { return 'x' + String(this); } };
  cb(null, String(o));
};
