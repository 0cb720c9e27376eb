// A chain of proxies.
module.exports = function (user, context, cb) {
  let p = {};
  for (let i = 0; i < 20000; i++) {
    p = new Proxy(p, {});
  }
  cb(null, p.x === undefined);
};
