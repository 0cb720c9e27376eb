// A string over the length limit made by a host function rather than by
// goja: a megabyte of bytes written out in hex.
module.exports = function (user, context, cb) {
  cb(null, { user: { n: Buffer.alloc(1 << 20).toString("hex").length } });
};
