// Sends the code through an SMS provider with Node's https module: a JSON
// POST written with req.write/req.end, the answer read from 'data' and 'end'
// events.
const https = require('https');

module.exports = function (recipient, text, context, cb) {
  const { SMS_API, SMS_TOKEN } = context.webtask.secrets;
  const url = new URL('/v2/messages', SMS_API);
  const payload = JSON.stringify({ to: recipient, body: text, reference: context.code });

  const req = https.request(
    {
      hostname: url.hostname,
      port: url.port,
      path: url.pathname + '?priority=high',
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        'Content-Length': Buffer.byteLength(payload),
        Authorization: 'Bearer ' + SMS_TOKEN,
      },
    },
    (res) => {
      res.setEncoding('utf8');
      let raw = '';
      let chunks = 0;
      res.on('data', (chunk) => {
        chunks++;
        raw += chunk;
      });
      res.on('end', () => {
        if (res.statusCode !== 202) {
          return cb(new Error(`SMS provider answered ${res.statusCode}`));
        }
        const answer = JSON.parse(raw);
        cb(null, { MessageID: answer.id, chunks, segments: answer.log.length });
      });
    }
  );
  req.on('error', (err) => cb(err));
  req.write(payload);
  req.end();
};
