/**
 * Starter send-phone-message hook.
 *
 * @param {string} recipient - the phone number
 * @param {string} text - the message, code included
 * @param {object} context - message_type, action, language, code, ip, user_agent, client, user
 * @param {function} cb - cb(error, response)
 */
module.exports = function (recipient, text, context, cb) {
  cb(null, {});
};
