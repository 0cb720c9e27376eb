module.exports = function (user, context, cb) {
  const parts = user.email.split('@');
  throw new TypeError(`cannot handle ${parts.length} parts`);
};
