// A proxy whose every trap throws, passed as the error.
module.exports = function (user, context, cb) {
  const trap = () => { throw new Error('trap'); };
  cb(new Proxy({}, { get: trap, ownKeys: trap, getOwnPropertyDescriptor: trap, has: trap }));
};
