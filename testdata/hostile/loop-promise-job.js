// A busy loop inside a promise reaction.
module.exports = function (user, context, cb) {
  Promise.resolve().then(() => { while (true) { /* spin */ } });
};
