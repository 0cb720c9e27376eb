module.exports = function (recipient, text, context, cb) {
  console.log('sending', context.message_type, 'to', recipient);
  cb(null, {});
};
