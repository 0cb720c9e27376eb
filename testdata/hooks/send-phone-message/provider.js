// Hands the message to a (pretend) provider and returns its message id.
let sent = 0;

module.exports = async function (recipient, text, context, cb) {
  if (context.message_type === 'voice') {
    return cb(new SendPhoneMessageError('voice is not supported', 'Choose SMS instead.'));
  }
  sent++;
  const body = `${context.code} is your ${context.client ? context.client.name : 'login'} code`;
  cb(null, { MessageID: `msg-${sent}`, length: body.length, to: recipient });
};
