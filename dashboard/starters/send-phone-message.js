/**
 * send-phone-message: runs to deliver a multi-factor code by SMS or voice
 * through a provider of your choice.
 *
 * context.message_type is "sms" or "voice"; text already holds the code.
 * Call back with the provider's answer, or refuse:
 *   cb(new SendPhoneMessageError('for the logs', 'for the user'))
 *
 * Secrets: context.webtask.secrets.NAME (the provider's API key, say)
 */
module.exports = async function (recipient, text, context, cb) {
  // const res = await fetch('https://sms.example.com/messages', {
  //   method: 'POST',
  //   headers: { Authorization: 'Bearer ' + context.webtask.secrets.SMS_API_KEY,
  //              'Content-Type': 'application/json' },
  //   body: JSON.stringify({ to: recipient, body: text }),
  // });
  // if (!res.ok) return cb(new Error('provider answered ' + res.status));
  // return cb(null, await res.json());
  console.log('would send a', context.message_type, 'to', recipient);
  cb(null, {});
};
