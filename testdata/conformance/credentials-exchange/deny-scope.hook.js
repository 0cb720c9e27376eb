module.exports = function (client, scope, audience, context, cb) {
  if (scope && scope.indexOf('update:users') >= 0) {
    return cb(new InvalidScopeError('Scope is not permitted.'));
  }
  cb(null, { scope: scope });
};
