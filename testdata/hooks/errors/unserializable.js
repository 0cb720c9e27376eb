module.exports = function (user, context, cb) {
  const node = { name: 'loop' };
  node.self = node;
  cb(null, node);
};
