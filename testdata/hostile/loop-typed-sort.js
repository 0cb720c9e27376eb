// Sorting eight million elements in one call.
module.exports = function (user, context, cb) {
  const a = new Uint8Array(8e6);
  for (let i = 0; i < 1000; i++) a[i * 7919 % a.length] = i;
  for (;;) {
    a.sort();
    a.reverse();
  }
};
