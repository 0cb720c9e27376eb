// Immediates that each schedule two more.
module.exports = function (user, context, cb) {
  const spawn = () => {
    setImmediate(spawn);
    setImmediate(spawn);
  };
  spawn();
};
