function (client, scope, audience, context, cb) {
  cb(null, { scope: scope, 'https://acme.example.com/client': client.name });
}
