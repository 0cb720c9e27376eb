// Uses pure-JavaScript npm packages the operator installed: lodash, a
// pinned ipaddr.js, uuid and moment.
const _ = require('lodash');
const ipaddr = require('ipaddr.js@2');
const { v4: uuidv4, validate: isUUID } = require('uuid');
const moment = require('moment');

module.exports = function (user, context, cb) {
  const ip = ipaddr.parse(context.request.ip);
  const birthday = moment.utc(_.get(user, 'user_metadata.birthday'), 'YYYY-MM-DD');
  const id = uuidv4();
  cb(null, {
    user: {
      app_metadata: {
        tags: _.uniq(_.map(['A', 'b', 'a'], _.toLower)),
        network: ip.range(),
        birthday: birthday.isValid() ? birthday.format('MMMM D, YYYY') : null,
        signup_id_valid: isUUID(id),
        plan: _.get(user, 'user_metadata.plan', 'free'),
      },
    },
  });
};
