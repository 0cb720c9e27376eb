// string_decoder: Node's StringDecoder, string_decoder 1.3.0 bundled from
// npm (js/vendor/readable-stream.js).
'use strict';
module.exports = native.bundle(require, null)('string_decoder/lib/string_decoder.js');
