// Writes a console line, then never yields: only the wall limit ends it.
module.exports = function (user, context, cb) {
  console.log('before the loop');
  for (;;) { /* spin */ }
};
