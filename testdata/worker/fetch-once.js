// Fetches the URL in the API secret and answers with the body.
module.exports = async function (user, context, cb) {
  try {
    const res = await fetch(context.webtask.secrets.API);
    cb(null, { user: { app_metadata: { body: await res.text(), status: res.status } } });
  } catch (err) {
    cb(null, { user: { app_metadata: { error: err.code || err.name, message: err.message } } });
  }
};
