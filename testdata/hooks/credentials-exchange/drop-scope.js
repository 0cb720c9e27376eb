// Returns claims without the scope property: the token gets no scopes.
module.exports = function (client, scope, audience, context, cb) {
  cb(null, { 'https://example.com/only': 'claim' });
};
