// Prints the secret S in every form console output can give it, then fails
// with an error whose message holds it. Used by TestSecretRedaction: none of
// these forms may reach the run's logs, the logger or the run's error.
module.exports = function (user, context, cb) {
  const s = context.webtask.secrets.S;
  console.log(s);                                  // as it is
  console.log('key: ' + s + ' (concatenated)');
  console.log({ k: s });                           // quoted by inspect
  console.log([s, { nested: { deeper: s } }]);
  console.log({ [s]: 1 });                         // as a key
  console.log('%j', { k: s });                     // JSON.stringify
  console.log(JSON.stringify({ k: s }));
  console.log('%o', { k: s });
  console.log('%s and %s', s, { k: s });
  console.warn(new Map([[s, s]]));
  console.error(new Set([s]));
  console.info(new Error('failed with ' + s));
  console.log(Promise.resolve(s));
  console.dir({ k: s });
  console.assert(false, { k: s });
  const space = s.indexOf(' ');                    // spread over two arguments,
  if (space > 0) console.log(s.slice(0, space), s.slice(space + 1)); // whole only in the line
  Promise.reject(new Error('rejected with ' + s)); // logged as unhandled
  cb(new Error('denied: ' + s));
};
