// Waits on a promise nothing will ever settle.
module.exports = async function (user, context, cb) {
  await new Promise(() => {});
  cb();
};
