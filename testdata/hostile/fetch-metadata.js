// Tries the cloud metadata endpoint and a loopback service.
module.exports = async function (user, context, cb) {
  const results = {};
  for (const url of ['http://169.254.169.254/latest/meta-data/', 'http://127.0.0.1:1/', 'http://[::1]/', 'http://0.0.0.0/']) {
    try {
      await fetch(url);
      results[url] = 'reached';
    } catch (err) {
      results[url] = err.code;
    }
  }
  cb(null, results);
};
