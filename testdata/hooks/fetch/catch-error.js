// Reports how a fetch of the URL in the secret URL fails.
module.exports = async function (user, context, cb) {
  try {
    const res = await fetch(context.webtask.secrets.URL);
    cb(null, { ok: res.ok, status: res.status });
  } catch (err) {
    cb(null, {
      name: err.name,
      message: err.message,
      code: err.code || null,
      isTypeError: err instanceof TypeError,
      isRateLimit: typeof RateLimitError !== 'undefined' && err instanceof RateLimitError,
      wait: err.wait === undefined ? null : err.wait,
      retries: err.retries === undefined ? null : err.retries,
    });
  }
};
