// Asks for every module that would reach the host.
module.exports = function (user, context, cb) {
  const names = ['fs', 'node:fs', 'child_process', 'process', 'node:process', 'os', 'net', 'vm', 'worker_threads',
    '../x', './hook', '/etc/passwd', 'fs@1.0.0'];
  const results = {};
  for (const name of names) {
    try {
      require(name);
      results[name] = 'loaded';
    } catch (err) {
      results[name] = err.code;
    }
  }
  cb(null, results);
};
