exports.onExecutePreUserRegistration = async (event, api) => {
  if (!event.user.email.endsWith('@example.org')) {
    api.validation.error('invalid_email_domain', 'Sign up with your example.org address.');
  }
};
