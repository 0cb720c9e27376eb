// os: Node's os module with fixed, harmless values. Nothing comes from the
// machine running the engine: no host name, user, addresses, memory or
// load figures.
'use strict';
const constants = Object.freeze({
  UV_UDP_REUSEADDR: 4,
  signals: Object.freeze({ SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGKILL: 9, SIGTERM: 15 }),
  errno: Object.freeze({ ENOENT: 2, EACCES: 13, ECONNREFUSED: 111, ECONNRESET: 104, ETIMEDOUT: 110 }),
  priority: Object.freeze({ PRIORITY_LOW: 19, PRIORITY_BELOW_NORMAL: 10, PRIORITY_NORMAL: 0, PRIORITY_ABOVE_NORMAL: -7, PRIORITY_HIGH: -14, PRIORITY_HIGHEST: -20 }),
});
module.exports = {
  EOL: '\n',
  devNull: '/dev/null',
  constants,
  arch: () => 'x64',
  platform: () => 'linux',
  type: () => 'Linux',
  release: () => '0.0.0',
  version: () => '',
  machine: () => 'x86_64',
  hostname: () => 'localhost',
  homedir: () => '/',
  tmpdir: () => '/tmp',
  endianness: () => 'LE',
  uptime: () => 0,
  loadavg: () => [0, 0, 0],
  totalmem: () => 0,
  freemem: () => 0,
  availableParallelism: () => 1,
  cpus: () => [],
  networkInterfaces: () => ({}),
  userInfo: () => ({ uid: -1, gid: -1, username: 'hook', homedir: '/', shell: null }),
  getPriority: () => 0,
  setPriority() {
    const err = new Error('os.setPriority is not available to hooks');
    err.code = 'ERR_FEATURE_UNAVAILABLE_ON_PLATFORM';
    throw err;
  },
};
