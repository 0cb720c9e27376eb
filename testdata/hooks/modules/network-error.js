// Reports how a GET of the secret URL fails through the module named by the
// secret MODULE: the error's name, code and message as the hook sees them.
module.exports = function (user, context, cb) {
  const url = context.webtask.secrets.URL;
  const report = (err) => cb(null, {
    name: err && err.name, code: err && err.code, message: err && err.message,
    syscall: (err && err.syscall) || null, hostname: (err && err.hostname) || null,
  });
  const ok = () => cb(new Error('the request succeeded'));
  switch (context.webtask.secrets.MODULE) {
    case 'request':
      require('request')(url, (err) => (err ? report(err) : ok()));
      break;
    case 'axios':
      require('axios').get(url).then(ok, report);
      break;
    case 'https':
      try {
        require(url.startsWith('https:') ? 'https' : 'http').get(url, ok).on('error', report);
      } catch (err) {
        report(err); // Node throws at once for a URL it cannot parse
      }
      break;
    case 'fetch':
      fetch(url).then(ok, (err) => report({ name: err.name, code: err.cause ? err.cause.code : err.code,
        message: err.cause ? err.cause.message : err.message, syscall: err.cause && err.cause.syscall, hostname: err.cause && err.cause.hostname }));
      break;
    case 'node-fetch':
      require('node-fetch')(url).then(ok, report);
      break;
    default:
      cb(new Error('unknown module'));
  }
};
