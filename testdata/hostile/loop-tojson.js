// The result's toJSON never returns: serialising the result is stopped too.
module.exports = function (user, context, cb) {
  cb(null, { toJSON() { for (;;) { /* spin */ } } });
};
