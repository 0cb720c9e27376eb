// process: the global process object, which the sandbox makes (its env is
// empty; nothing in it comes from the host).
'use strict';
module.exports = process;
