// String() of arrays nested twenty thousand deep recurses through join.
module.exports = function (user, context, cb) {
  let a = [];
  for (let i = 0; i < 20000; i++) {
    a = [a];
  }
  cb(null, String(a).length);
};
