// async-generator-function: the npm package get-intrinsic (and through it
// qs, call-bind, side-channel...) requires. The real one is written with an
// async generator, a syntax the engine's JavaScript does not support; this
// one answers what the package's contract says engines without them get:
// false.
module.exports = () => false;
