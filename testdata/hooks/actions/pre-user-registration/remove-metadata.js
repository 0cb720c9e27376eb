exports.onExecutePreUserRegistration = (event, api) => {
  // null removes a property the signup supplied.
  api.user.setUserMetadata('newsletter', null);
  api.user.setUserMetadata('locale', event.request.language);
};
