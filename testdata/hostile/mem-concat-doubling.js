// A string that doubles with + until something stops it.
module.exports = function (user, context, cb) {
  let s = 'x';
  for (;;) {
    s = s + s;
  }
};
