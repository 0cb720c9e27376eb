// Orders work through setImmediate, setTimeout and clearTimeout.
module.exports = function (user, context, cb) {
  const steps = [];
  const never = setTimeout(() => steps.push('cancelled timer ran'), 10);
  setTimeout(() => {
    steps.push('timeout');
    clearTimeout(never);
    setImmediate(() => {
      steps.push('immediate');
      cb(null, { user: { user_metadata: { steps } } });
    });
  }, 5);
  Promise.resolve().then(() => steps.push('microtask'));
  steps.push('sync');
};
