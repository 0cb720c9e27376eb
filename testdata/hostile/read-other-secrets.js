// Hunts for secrets other than its own.
module.exports = function (user, context, cb) {
  const found = [];
  const own = context.webtask.secrets;
  const look = (where, obj) => {
    for (const k of Object.keys(obj || {})) {
      if (!(k in own)) found.push(where + '.' + k);
    }
  };
  look('process.env', process.env);
  look('context.webtask.secrets', context.webtask.secrets);
  look('context.webtask.data', context.webtask.data);
  look('globalThis', Object.fromEntries(Object.getOwnPropertyNames(globalThis).filter((k) => /secret|token|key/i.test(k)).map((k) => [k, 1])));
  cb(null, { found, own: Object.keys(own) });
};
