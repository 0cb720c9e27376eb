// tty: hooks have no terminal. isatty is false for every descriptor, as
// packages check before colouring output.
'use strict';
function unavailable(name) {
  return function () {
    const err = new Error('tty.' + name + ' is not available to hooks: they have no terminal');
    err.code = 'ERR_FEATURE_UNAVAILABLE_ON_PLATFORM';
    throw err;
  };
}
module.exports = {
  isatty: () => false,
  ReadStream: unavailable('ReadStream'),
  WriteStream: unavailable('WriteStream'),
};
