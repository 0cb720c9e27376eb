// Uses each Node.js core module of package nodecore as npm packages do and
// answers what it got. Runs with testdata/modules/node_modules as the
// operator's node_modules directory.
module.exports = async function (user, context, cb) {
  const out = {};
  const stream = require('stream');
  const sink = [];
  const upper = new stream.Transform({ transform(chunk, enc, done) { done(null, chunk.toString().toUpperCase()); } });
  await require('stream/promises').pipeline(stream.Readable.from(['a', 'b', 'c']), upper,
    new stream.Writable({ write(chunk, enc, done) { sink.push(chunk.toString()); done(); } }));
  out.stream = [sink.join(''), upper instanceof stream, new stream.PassThrough() instanceof stream.Readable,
    typeof stream.finished, typeof stream.Duplex].join(' ');
  const { StringDecoder } = require('string_decoder');
  const d = new StringDecoder('utf8');
  const euro = Buffer.from('€');
  out.string_decoder = d.write(euro.subarray(0, 1)) + d.write(euro.subarray(1)) + d.end();

  const zlib = require('zlib');
  out.zlib = [zlib.gunzipSync(zlib.gzipSync('hello hooks')).toString(), zlib.inflateSync(zlib.deflateSync('abc')).toString(),
    zlib.inflateRawSync(zlib.deflateRawSync('raw')).toString(), zlib.unzipSync(zlib.gzipSync('unzip')).toString()].join(' ');
  try { zlib.gunzipSync(Buffer.from('not gzip at all')); } catch (e) { out.zlibError = e.code + ': ' + e.message; }
  try { zlib.gunzipSync(zlib.gzipSync('x'.repeat(1 << 20)), { maxOutputLength: 1024 }); } catch (e) { out.zlibBomb = e.code; }
  out.zlibCallback = await new Promise((resolve, reject) => zlib.gzip('cb', (e, b) => (e ? reject(e) : zlib.gunzip(b, (e2, r) => (e2 ? reject(e2) : resolve(r.toString()))))));
  const gz = [];
  await require('stream/promises').pipeline(stream.Readable.from([Buffer.from('str'), Buffer.from('eamed')]), zlib.createGzip(),
    new stream.Writable({ write(chunk, enc, done) { gz.push(chunk); done(); } }));
  out.zlibStream = zlib.gunzipSync(Buffer.concat(gz)).toString();

  const os = require('os');
  out.os = [os.platform(), os.type(), os.hostname(), os.homedir(), os.cpus().length, os.totalmem(), JSON.stringify(os.networkInterfaces()), os.EOL === '\n'].join(' ');
  const domain = require('domain');
  out.domain = domain.create().run(() => 'ran') + ' ' + domain.active;
  const assert = require('assert');
  try { assert.deepStrictEqual({ a: [1] }, { a: [2] }); } catch (e) { out.assert = e.code + ' ' + e.name; }
  assert.throws(() => { throw new TypeError('x'); }, TypeError);
  require('assert/strict').equal(1, 1);
  const net = require('net');
  out.net = [net.isIP('::1'), net.isIP('192.0.2.1'), net.isIP('example.com'), net.isIPv6('2001:db8::1'), typeof net.Socket].join(' ');
  try { net.connect(443, 'example.com'); } catch (e) { out.netConnect = e.code; }
  out.tls = typeof require('tls').TLSSocket + ' ' + require('tty').isatty(1);
  out.timers = await require('timers/promises').setTimeout(1, 'later') + ' ' + (typeof require('timers').setImmediate);

  const url = require('url');
  const u = url.parse('https://user:pw@Api.Example.com:8443/a/b?x=1&y=2#h', true);
  out.urlParse = [u.protocol, u.auth, u.hostname, u.port, u.pathname, u.path, u.query.y, u.hash].join(' ');
  out.urlFormat = url.format({ protocol: 'https', hostname: 'sns.us-east-1.amazonaws.com', pathname: '/', query: { a: 'b c' } });
  out.urlResolve = url.resolve('http://example.com/one/two', '../three');
  out.urlGlobal = new URL('https://x.test/') instanceof url.URL;

  const fs = require('fs');
  out.fsRead = JSON.parse(fs.readFileSync('/node_modules/needs-fs/package.json', 'utf8')).name;
  out.fsRelative = fs.existsSync('node_modules/needs-fs/index.js') + ' ' + fs.existsSync('/etc/passwd');
  out.fsStat = [fs.statSync('/node_modules/needs-fs').isDirectory(), fs.statSync('/node_modules/needs-fs/package.json').isFile(),
    fs.statSync('/nope', { throwIfNoEntry: false })].join(' ');
  out.fsReaddir = fs.readdirSync('/node_modules/needs-fs').join(',') + ' ' +
    fs.readdirSync('/node_modules', { withFileTypes: true }).filter((e) => e.isDirectory()).some((e) => e.name === 'needs-fs');
  out.fsCallback = await new Promise((resolve) => fs.readFile('/node_modules/needs-fs/index.js', 'utf8', (e, s) => resolve(e ? e.code : s.length > 0)));
  out.fsPromise = await require('fs/promises').readFile('/etc/passwd').catch((e) => e.message);
  try { fs.writeFileSync('/node_modules/x', 'y'); } catch (e) { out.fsWrite = e.message; }
  try { fs.watch('/node_modules'); } catch (e) { out.fsWatch = e.code; }
  cb(null, out);
};
