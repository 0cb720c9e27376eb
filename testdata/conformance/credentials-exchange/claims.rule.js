function (client, scope, audience, context, cb) {
  cb(null, {
    scope: scope,
    'https://example.com/client_name': client.name,
    'https://example.com/audience': audience,
  });
}
