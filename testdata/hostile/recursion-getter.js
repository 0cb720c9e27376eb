// A getter that reads itself.
module.exports = function (user, context, cb) {
  const o = { get self() { return this.self; } };
  cb(null, o.self);
};
