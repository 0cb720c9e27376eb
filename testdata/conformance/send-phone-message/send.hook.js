module.exports = function (recipient, text, context, cb) {
  console.log(context.message_type + ' to ' + recipient + ': ' + text);
  cb(null, {});
};
