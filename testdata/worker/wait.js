// Answers a second later, having done nothing else.
module.exports = function (user, context, cb) {
  console.log('waiting');
  setTimeout(function () { cb(null, { user: { app_metadata: { waited: true } } }); }, 1000);
};
