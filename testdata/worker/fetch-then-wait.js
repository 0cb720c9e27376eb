// Sends a request (a side effect), then answers a second later.
module.exports = async function (user, context, cb) {
  await fetch(context.webtask.secrets.API);
  setTimeout(function () { cb(null, { user: {} }); }, 1000);
};
