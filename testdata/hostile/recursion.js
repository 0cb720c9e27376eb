// Unbounded recursion.
function down(n) {
  return down(n + 1);
}

module.exports = function (user, context, cb) {
  down(0);
};
