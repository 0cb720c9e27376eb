// JSON nested a hundred thousand levels deep.
module.exports = function (user, context, cb) {
  const text = '['.repeat(1e5) + ']'.repeat(1e5);
  cb(null, JSON.parse(text).length);
};
