// Counts the tokens issued per client in the Actions cache.
exports.onExecuteCredentialsExchange = async (event, api) => {
  const key = 'count:' + event.client.client_id;
  const record = api.cache.get(key);
  const count = record ? Number(record.value) + 1 : 1;
  const result = api.cache.set(key, String(count), { ttl: 60000 });
  if (result.type !== 'success') {
    throw new Error('cache write failed: ' + result.code);
  }
  api.accessToken.setCustomClaim('https://example.com/count', count);
};
