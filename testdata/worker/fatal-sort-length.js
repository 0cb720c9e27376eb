// A length that reads small to the guard and 2**32-1 to the native sort:
// in-process this was Go's fatal "out of memory", which ends the process.
module.exports = function (user, context, cb) {
  let n = 0;
  const o = { get length() { n++; return n === 1 ? 1 : 4294967295; }, 0: 1 };
  Array.prototype.sort.call(o);
  cb(null, { user: {} });
};
