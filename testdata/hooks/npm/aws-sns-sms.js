// send-phone-message through Amazon SNS with aws-sdk v2, the other common
// choice for SMS. SNS_ENDPOINT, when set, points the client at an
// SNS-compatible endpoint (LocalStack, a test server), as aws-sdk's
// endpoint option is used for.
const AWS = require('aws-sdk');

module.exports = function (recipient, text, context, cb) {
  const s = context.webtask.secrets;
  const sns = new AWS.SNS({
    apiVersion: '2010-03-31',
    region: s.AWS_REGION,
    accessKeyId: s.AWS_ACCESS_KEY_ID,
    secretAccessKey: s.AWS_SECRET_ACCESS_KEY,
    endpoint: s.SNS_ENDPOINT,
  });
  const params = {
    Message: text,
    PhoneNumber: recipient,
    MessageAttributes: { 'AWS.SNS.SMS.SMSType': { DataType: 'String', StringValue: 'Transactional' } },
  };
  sns.publish(params).promise()
    .then((data) => cb(null, { messageId: data.MessageId }))
    .catch((err) => cb(err));
};
