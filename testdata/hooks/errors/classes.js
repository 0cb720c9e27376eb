// Reports how the injected error classes behave; the class to check is named
// by the secret CLASS. Works for every point: context is always the argument
// before the callback.
module.exports = function () {
  const cb = arguments[arguments.length - 1];
  const context = arguments[arguments.length - 2];
  const Ctor = eval(context.webtask.secrets.CLASS);
  const err = new Ctor('the message', 'the friendly message');
  cb(null, {
    isError: err instanceof Error,
    isBase: err instanceof ExtensibilityUserError,
    name: err.name,
    ownName: Object.prototype.hasOwnProperty.call(err, 'name'),
    message: err.message,
    friendlyMessage: err.friendlyMessage,
    toString: String(err),
    ownProps: Object.getOwnPropertyNames(err),
  });
};
