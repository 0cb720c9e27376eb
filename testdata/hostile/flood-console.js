// Console output without end.
module.exports = function (user, context, cb) {
  for (let i = 0; ; i++) {
    console.log('line', i, 'x'.repeat(100));
  }
};
