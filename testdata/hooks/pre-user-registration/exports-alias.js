// An older style: exports and module.exports assigned together.
var defaultPlan = 'starter';

exports = module.exports = function (user, context, callback) {
  callback(null, { user: { app_metadata: { plan: defaultPlan } } });
};
