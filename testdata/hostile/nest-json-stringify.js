// Data nested deeper than the serialiser accepts.
module.exports = function (user, context, cb) {
  let a = [];
  for (let i = 0; i < 20000; i++) {
    a = [a];
  }
  cb(null, JSON.stringify(a).length);
};
