module.exports = function (user, context, cb) {
  const ok = true;
  if (ok) {
    cb(null, { user: user );
  }
};
