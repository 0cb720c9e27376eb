// timers/promises: timers that return promises, with an optional signal.
'use strict';
function delay(schedule, clear) {
  return (ms, value, options) => new Promise((resolve, reject) => {
    const signal = options && options.signal;
    if (signal && signal.aborted) {
      reject(signal.reason);
      return;
    }
    const t = schedule(() => resolve(value), ms);
    if (signal) {
      signal.addEventListener('abort', () => {
        clear(t);
        reject(signal.reason);
      });
    }
  });
}
module.exports = {
  setTimeout: delay((fn, ms) => setTimeout(fn, ms), (t) => clearTimeout(t)),
  setImmediate: (value, options) => delay((fn) => setImmediate(fn), (t) => clearImmediate(t))(0, value, options),
};
