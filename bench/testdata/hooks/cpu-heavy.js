// Decides the new user's plan, roles and feature flags from a rules document
// kept as JSON in the RULES secret (about 6 KB), so that support can change
// the rules without editing the hook. Every run parses the document, walks
// its domain rules, puts the user in a stable rollout bucket, and checks the
// metadata's size before answering, as Auth0 caps metadata.
function endsWith(s, suffix) {
  return s.length >= suffix.length && s.indexOf(suffix, s.length - suffix.length) >= 0;
}

function bucketOf(email) {
  // djb2: a stable hash, so a user stays in their bucket between logins.
  var h = 5381;
  for (var i = 0; i < email.length; i++) {
    h = ((h << 5) + h + email.charCodeAt(i)) | 0;
  }
  return Math.abs(h) % 100;
}

module.exports = function (user, context, cb) {
  var rules = JSON.parse(context.webtask.secrets.RULES);
  var email = (user.email || '').toLowerCase();
  var domain = email.split('@')[1] || '';

  var plan = rules.defaultPlan;
  var roles = rules.defaultRoles.slice();
  var matched = [];
  for (var i = 0; i < rules.domains.length; i++) {
    var rule = rules.domains[i];
    if (domain === rule.domain || endsWith(domain, '.' + rule.domain)) {
      matched.push(rule.domain);
      if (rule.plan) {
        plan = rule.plan;
      }
      for (var r = 0; r < rule.roles.length; r++) {
        if (roles.indexOf(rule.roles[r]) < 0) {
          roles.push(rule.roles[r]);
        }
      }
    }
  }

  var bucket = bucketOf(email);
  var features = {};
  var enabled = [];
  for (var f = 0; f < rules.features.length; f++) {
    var feature = rules.features[f];
    var on = bucket < feature.rollout && (!feature.plans || feature.plans.indexOf(plan) >= 0);
    features[feature.name] = on;
    if (on) {
      enabled.push(feature.name);
    }
  }

  var audit = 'plan=' + plan + ';bucket=' + bucket + ';rules=' + matched.join(',') +
    ';roles=' + roles.join(',') + ';features=' + enabled.join(',');

  var appMetadata = {
    plan: plan,
    roles: roles,
    features: features,
    rollout_bucket: bucket,
    rules_version: rules.version,
    audit: audit
  };
  if (JSON.stringify(appMetadata).length > rules.maxMetadataBytes) {
    return cb(new PreUserRegistrationError('metadata too large', 'We could not create your account.'));
  }
  cb(null, {
    user: {
      app_metadata: appMetadata,
      user_metadata: { language: context.renderLanguage || 'en' }
    }
  });
};
