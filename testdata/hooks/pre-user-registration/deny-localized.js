// Refuses disposable email domains, telling the user why in their language.
const BLOCKED = ['mailinator.com', 'example.net'];

const MESSAGES = {
  en: 'Please sign up with a permanent email address.',
  fr: 'Veuillez vous inscrire avec une adresse e-mail permanente.',
  es: 'Regístrese con una dirección de correo electrónico permanente.',
};

module.exports = function (user, context, cb) {
  const domain = (user.email || '').split('@').pop().toLowerCase();
  if (BLOCKED.includes(domain)) {
    const lang = (context.renderLanguage || 'en').slice(0, 2);
    return cb(new PreUserRegistrationError(
      `Signup refused for disposable domain ${domain}`,
      MESSAGES[lang] || MESSAGES.en,
    ));
  }
  cb(null, { user: { app_metadata: { vetted: true } } });
};
