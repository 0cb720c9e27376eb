// Millions of small objects kept alive.
module.exports = function (user, context, cb) {
  let head = null;
  for (;;) {
    head = { next: head, id: Math.random() };
  }
};
