// Throws inside the callback of the module named by the secret MODULE, as a
// hook with a bug in its response handling does. In Node the process ends
// with that error; the run must too.
module.exports = function (user, context, cb) {
  const url = context.webtask.secrets.URL;
  const boom = () => { throw new Error('boom in ' + context.webtask.secrets.MODULE + ' callback'); };
  switch (context.webtask.secrets.MODULE) {
    case 'request':
      require('request')(url, { json: true }, (err, res, body) => {
        if (err) return cb(err);
        boom();
      });
      break;
    case 'axios':
      require('axios').get(url).then((res) => boom());
      break;
    case 'https':
      require('http').get(url, (res) => {
        res.on('data', () => {});
        res.on('end', boom);
      });
      break;
    case 'fetch':
      fetch(url).then((res) => res.json()).then(boom);
      break;
    case 'node-fetch':
      require('node-fetch')(url).then(boom);
      break;
    default:
      cb(new Error('unknown module'));
  }
};
