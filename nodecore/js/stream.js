// stream: Node's stream module. Readable, Writable, Duplex, Transform,
// PassThrough, finished and pipeline are readable-stream 3.6.2, bundled
// from npm (js/vendor/readable-stream.js); the module itself is Node's
// legacy Stream, an EventEmitter with pipe, which every stream class
// inherits from, so `x instanceof require('stream')` holds as in Node.
'use strict';
const EventEmitter = require('events');

function Stream(opts) {
  EventEmitter.call(this, opts);
}
Object.setPrototypeOf(Stream.prototype, EventEmitter.prototype);
Object.setPrototypeOf(Stream, EventEmitter);

// Node's legacy pipe, which readable streams override.
Stream.prototype.pipe = function pipe(dest, options) {
  const source = this;
  const ondata = (chunk) => {
    if (dest.writable && dest.write(chunk) === false && typeof source.pause === 'function') {
      source.pause();
    }
  };
  const ondrain = () => {
    if (source.readable && typeof source.resume === 'function') {
      source.resume();
    }
  };
  source.on('data', ondata);
  dest.on('drain', ondrain);
  if (!options || options.end !== false) {
    source.once('end', () => dest.end());
  }
  dest.emit('pipe', source);
  return dest;
};

const load = native.bundle(require, Stream);
const readable = load('readable-stream/readable.js');
Stream.Stream = Stream;
Stream.Readable = readable.Readable;
Stream.Writable = readable.Writable;
Stream.Duplex = readable.Duplex;
Stream.Transform = readable.Transform;
Stream.PassThrough = readable.PassThrough;
Stream.finished = readable.finished;
Stream.pipeline = readable.pipeline;

function promisify(fn) {
  return (...streams) => new Promise((resolve, reject) => {
    fn(...streams, (err, value) => (err ? reject(err) : resolve(value)));
  });
}
Stream.promises = { pipeline: promisify(readable.pipeline), finished: promisify(readable.finished) };
Stream.isReadable = (s) => !!(s && typeof s.read === 'function' && s.readable !== false && !s.destroyed);
Stream.isErrored = (s) => !!(s && s._readableState && s._readableState.errorEmitted);
Stream.isDisturbed = (s) => !!(s && s._readableState && (s._readableState.dataEmitted || s._readableState.ended));

module.exports = Stream;
