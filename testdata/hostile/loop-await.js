// An endless chain of awaits: each step is a microtask, so the turn never ends.
module.exports = async function (user, context, cb) {
  for (;;) {
    await null;
  }
};
