// Fails while the module loads: vm does not exist here.
const vm = require('vm');

module.exports = function (user, context, cb) {
  cb(null, { value: vm.runInNewContext('1 + 1') });
};
