// Aborts a slow request with an AbortController.
module.exports = async function (user, context, cb) {
  const controller = new AbortController();
  setTimeout(() => controller.abort(), 50);
  try {
    await fetch(context.webtask.secrets.URL, { signal: controller.signal });
    cb(null, { aborted: false });
  } catch (err) {
    cb(null, { aborted: true, name: err.name, signalAborted: controller.signal.aborted });
  }
};
