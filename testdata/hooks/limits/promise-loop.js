// The loop starts in a promise continuation, after the hook has returned.
module.exports = function (user, context, cb) {
  Promise.resolve().then(() => {
    let n = 0;
    while (true) { n++; }
  });
};
