// Looks for traces another hook may have left.
let runs = 0;

module.exports = function (user, context, cb) {
  runs++;
  const list = [];
  list.push('x');
  cb(null, {
    runs,
    polluted: ({}).polluted === undefined ? null : ({}).polluted,
    push: list.length,
    json: JSON.stringify({ a: 1 }),
    leakedSecret: typeof leakedSecret === 'undefined' ? null : leakedSecret,
    sharedGlobal: typeof sharedGlobal === 'undefined' ? null : sharedGlobal,
    mySecret: context.webtask.secrets.TOKEN || null,
  });
};
