// flat(Infinity) over arrays nested twenty thousand deep.
module.exports = function (user, context, cb) {
  let a = [1];
  for (let i = 0; i < 20000; i++) {
    a = [a];
  }
  cb(null, a.flat(Infinity).length);
};
