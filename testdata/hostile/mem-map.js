// A Map that grows forever.
module.exports = function (user, context, cb) {
  const seen = new Map();
  for (let i = 0; ; i++) {
    seen.set('key-' + i, { i });
  }
};
