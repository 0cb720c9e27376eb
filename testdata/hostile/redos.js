// Catastrophic backtracking: the lookahead sends the pattern to the
// backtracking engine.
module.exports = function (user, context, cb) {
  const re = /^(?=a)(a+)+$/;
  cb(null, re.test('a'.repeat(40) + 'b'));
};
