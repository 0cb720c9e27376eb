// timers: the engine's timer globals as a module.
'use strict';
module.exports = {
  setTimeout: (...a) => setTimeout(...a),
  clearTimeout: (t) => clearTimeout(t),
  setInterval: (...a) => setInterval(...a),
  clearInterval: (t) => clearInterval(t),
  setImmediate: (...a) => setImmediate(...a),
  clearImmediate: (t) => clearImmediate(t),
};
