// JSON text that doubles until something stops it.
module.exports = function (user, context, cb) {
  let s = JSON.stringify({ user: user, pad: 'x'.repeat(1000) });
  for (;;) {
    s = JSON.stringify([s, s]);
  }
};
