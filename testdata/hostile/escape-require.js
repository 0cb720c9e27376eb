// Asks for every module that would reach the host, and tries the host
// through the core modules that exist but must not reach it (fs, os, net,
// tls).
module.exports = function (user, context, cb) {
  const names = ['vm', 'node:vm', 'worker_threads', 'cluster', 'inspector', 'v8', 'repl', 'module', 'async_hooks',
    '../x', './hook', '/etc/passwd', 'node_modules/../../etc/passwd'];
  const required = {};
  for (const name of names) {
    try {
      require(name);
      required[name] = 'loaded';
    } catch (err) {
      required[name] = err.code;
    }
  }
  const attempt = (fn) => {
    try {
      return String(fn());
    } catch (err) {
      return err.code;
    }
  };
  const fs = require('fs');
  const os = require('os');
  const probes = {
    'fs /etc/passwd': attempt(() => fs.readFileSync('/etc/passwd', 'utf8')),
    'node:fs /etc/passwd': attempt(() => require('node:fs').readFileSync('/etc/passwd', 'utf8')),
    'fs@1.0.0 ../etc': attempt(() => require('fs@1.0.0').readFileSync('/node_modules/../etc/passwd')),
    'fs /proc/self/environ': attempt(() => fs.readFileSync('/proc/self/environ')),
    'fs readdir /': attempt(() => fs.readdirSync('/')),
    'fs write': attempt(() => fs.writeFileSync('/node_modules/x.js', 'x')),
    'fs open': attempt(() => fs.openSync('/node_modules/x.js', 'r')),
    'os hostname': attempt(() => os.hostname()),
    'os interfaces': attempt(() => JSON.stringify(os.networkInterfaces())),
    'os user': attempt(() => os.userInfo().username),
    'net connect': attempt(() => require('net').connect(22, '127.0.0.1')),
    'tls connect': attempt(() => require('tls').connect(443, 'example.com')),
    'child_process exec': attempt(() => require('child_process').execSync('id')),
    'child_process spawn': attempt(() => require('node:child_process').spawn('sh')),
    'dgram socket': attempt(() => require('dgram').createSocket('udp4')),
    'process env': attempt(() => Object.keys(require('process').env).length),
  };
  cb(null, { required, probes });
};
