function (user, context, callback) {
  callback(null, { scope: [] });
}
