module.exports = function (user, context, cb) {
  cb(new Error(`could not record signup of ${user.id}`));
};
