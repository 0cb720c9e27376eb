function (recipient, text, context, cb) {
  console.log('sending to ' + recipient);
  cb(null, {});
}
