// Burns CPU in slices between short timer waits until stopped.
module.exports = function (user, context, cb) {
  function slice() {
    const end = Date.now() + 20;
    while (Date.now() < end) { /* spin */ }
    setTimeout(slice, 1);
  }
  slice();
};
