// JUST FOR TESTING -- this copy of the class collides with the injected one.
class PreUserRegistrationError extends Error {}

module.exports = function (user, context, cb) {
  cb(new PreUserRegistrationError('x'));
};
