// Tampers with everything shared a script could reach.
let runs = 0;

module.exports = function (user, context, cb) {
  runs++;
  Object.prototype.polluted = 'yes';
  Array.prototype.push = function () { return -1; };
  JSON.stringify = () => '"hijacked"';
  globalThis.leakedSecret = context.webtask.secrets.TOKEN;
  var sharedGlobal = 'set by pollute';
  globalThis.sharedGlobal = sharedGlobal;
  cb(null, { runs });
};
