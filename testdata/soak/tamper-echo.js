// Hostile: tampers with the built-ins of its own runtime, then answers with
// the address it was given. Other hooks must see none of it, and its own
// answer must still be its own.
module.exports = function (user, context, cb) {
  Object.prototype.soakPolluted = user.email;
  Array.prototype.push = function () { return -1; };
  Array.prototype.includes = function () { return true; };
  String.prototype.slice = function () { return 'tampered'; };
  JSON.stringify = function () { return '"hijacked"'; };
  globalThis.Promise = function () { throw new Error('no promises'); };
  cb(null, { user: { app_metadata: { tampered_by: user.email } } });
};
