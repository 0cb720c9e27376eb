// Throws through the engine's wrappers of built-ins and a Buffer method
// implemented in Go, logging the error and its stack first. Used by
// TestStackTraces: no frame may show a Go name or the engine's sources.
module.exports = function (user, context, cb) {
  try {
    Buffer.alloc(2).readInt8(99);
  } catch (e) {
    console.log(e);
    console.log(e.stack);
  }
  try {
    Buffer.from({ length: 1, get 0() { throw new Error('from a getter'); } });
  } catch (e) {
    console.log(e);
  }
  JSON.parse('{');
};
