/**
 * Adds the tenant's namespace claim and keeps only the allowed audiences.
 */
module.exports = function (client, scope, audience, context, cb) {
  const allowed = @@ALLOWED_AUDIENCES@@;
  if (allowed.indexOf(audience) < 0) {
    return cb(new InvalidRequestError('audience not allowed'));
  }
  const claims = { scope: scope };
  claims['https://##TENANT##.example.com/client'] = client.name;
  claims['https://##TENANT##.example.com/key_set'] = !!context.webtask.secrets['api-key'];
  cb(null, claims);
};
