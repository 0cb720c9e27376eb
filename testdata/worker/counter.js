// Module-level state lives as long as the runtime.
let count = 0;

module.exports = function (user, context, cb) {
  count++;
  cb(null, { user: { app_metadata: { count: count } } });
};
