module.exports = function (client, scope, audience, context, cb) {
  if ((scope || []).includes('admin')) {
    return cb(new InvalidScopeError('Scope is not permitted.'));
  }
  cb(null, { scope });
};
