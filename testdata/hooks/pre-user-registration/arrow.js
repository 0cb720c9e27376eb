'use strict';

const util = require('node:util');

module.exports = (user, context, cb) => cb(null, {
  user: { user_metadata: { greeting: util.format('hello %s', greet(user)) } },
});

// Helpers may follow module.exports: function declarations are hoisted.
function greet(user) {
  return user.username || user.email;
}
