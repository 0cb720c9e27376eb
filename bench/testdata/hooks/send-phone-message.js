// Builds the SMS text in the user's language and answers what the SMS
// provider would need. (A real hook would then post it to the provider's
// API; that is the fetch scenario.)
var TEMPLATES = {
  en: '{code} is your {app} verification code.',
  fr: '{code} est votre code de v\u00e9rification {app}.',
  es: '{code} es su c\u00f3digo de verificaci\u00f3n de {app}.'
};

module.exports = function (recipient, text, context, cb) {
  if (context.message_type === 'voice') {
    return cb(new SendPhoneMessageError('voice is not supported', 'Choose SMS instead.'));
  }
  var lang = (context.language || 'en').slice(0, 2);
  var template = TEMPLATES[lang] || TEMPLATES.en;
  var app = context.client ? context.client.name : 'Acme';
  var body = template.replace('{code}', context.code).replace('{app}', app);
  cb(null, {
    to: recipient,
    channel: context.message_type,
    body: body,
    segments: Math.ceil(body.length / 160)
  });
};
