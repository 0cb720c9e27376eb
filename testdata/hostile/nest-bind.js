// A chain of bound functions.
module.exports = function (user, context, cb) {
  let f = function () { return 1; };
  for (let i = 0; i < 20000; i++) {
    f = f.bind(null);
  }
  cb(null, f());
};
