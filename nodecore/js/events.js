// events: Node's EventEmitter.
'use strict';
const kEvents = Symbol('events');
const kMax = Symbol('maxListeners');
let defaultMaxListeners = 10;

function checkListener(listener) {
  if (typeof listener !== 'function') {
    const err = new TypeError('The "listener" argument must be of type function. Received ' + (listener === null ? 'null' : typeof listener));
    err.code = 'ERR_INVALID_ARG_TYPE';
    throw err;
  }
}

function EventEmitter(opts) {
  EventEmitter.init.call(this, opts);
}
EventEmitter.init = function init() {
  events(this);
};

function events(emitter) {
  if (!Object.prototype.hasOwnProperty.call(emitter, kEvents) || emitter[kEvents] === undefined) {
    Object.defineProperty(emitter, kEvents, { value: new Map(), writable: true, configurable: true });
  }
  return emitter[kEvents];
}

function addListener(emitter, type, listener, prepend) {
  checkListener(listener);
  const map = events(emitter);
  if (map.has('newListener')) {
    emitter.emit('newListener', type, listener.listener ? listener.listener : listener);
  }
  let list = map.get(type);
  if (list === undefined) {
    list = [];
    map.set(type, list);
  }
  if (prepend) {
    list.unshift(listener);
  } else {
    list.push(listener);
  }
  const max = emitter.getMaxListeners();
  if (max > 0 && list.length > max && !list.warned) {
    list.warned = true;
    if (typeof process === 'object' && process && typeof process.emitWarning === 'function') {
      process.emitWarning('Possible EventEmitter memory leak detected. ' + list.length + ' ' + String(type) +
        ' listeners added. Use emitter.setMaxListeners() to increase limit');
    }
  }
  return emitter;
}

function onceWrapper(emitter, type, listener) {
  const state = { fired: false };
  function wrapped(...args) {
    if (!state.fired) {
      state.fired = true;
      emitter.removeListener(type, wrapped);
      return Reflect.apply(listener, this, args);
    }
    return undefined;
  }
  wrapped.listener = listener;
  return wrapped;
}

Object.assign(EventEmitter.prototype, {
  setMaxListeners(n) {
    if (typeof n !== 'number' || n < 0 || Number.isNaN(n)) {
      const err = new RangeError('The value of "n" is out of range. It must be a non-negative number. Received ' + String(n));
      err.code = 'ERR_OUT_OF_RANGE';
      throw err;
    }
    this[kMax] = n;
    return this;
  },
  getMaxListeners() {
    return this[kMax] === undefined ? defaultMaxListeners : this[kMax];
  },
  emit(type, ...args) {
    const map = events(this);
    const list = map.get(type);
    if (type === 'error' && (list === undefined || list.length === 0)) {
      const er = args[0];
      if (er instanceof Error) {
        throw er;
      }
      const err = new Error('Unhandled error.' + (er === undefined ? '' : ' (' + String(er) + ')'));
      err.code = 'ERR_UNHANDLED_ERROR';
      err.context = er;
      throw err;
    }
    if (list === undefined || list.length === 0) {
      return false;
    }
    for (const listener of list.slice()) {
      Reflect.apply(listener, this, args);
    }
    return true;
  },
  addListener(type, listener) { return addListener(this, type, listener, false); },
  on(type, listener) { return addListener(this, type, listener, false); },
  prependListener(type, listener) { return addListener(this, type, listener, true); },
  once(type, listener) {
    checkListener(listener);
    return addListener(this, type, onceWrapper(this, type, listener), false);
  },
  prependOnceListener(type, listener) {
    checkListener(listener);
    return addListener(this, type, onceWrapper(this, type, listener), true);
  },
  removeListener(type, listener) {
    checkListener(listener);
    const map = events(this);
    const list = map.get(type);
    if (list === undefined) {
      return this;
    }
    for (let i = list.length - 1; i >= 0; i--) {
      if (list[i] === listener || list[i].listener === listener) {
        list.splice(i, 1);
        if (list.length === 0) {
          map.delete(type);
        }
        if (map.has('removeListener')) {
          this.emit('removeListener', type, listener);
        }
        break;
      }
    }
    return this;
  },
  off(type, listener) { return this.removeListener(type, listener); },
  removeAllListeners(type) {
    const map = events(this);
    if (type === undefined) {
      map.clear();
    } else {
      map.delete(type);
    }
    return this;
  },
  listeners(type) {
    const list = events(this).get(type);
    return list === undefined ? [] : list.map((l) => l.listener || l);
  },
  rawListeners(type) {
    const list = events(this).get(type);
    return list === undefined ? [] : list.slice();
  },
  listenerCount(type) {
    const list = events(this).get(type);
    return list === undefined ? 0 : list.length;
  },
  eventNames() {
    return Array.from(events(this).keys());
  },
});

Object.defineProperty(EventEmitter, 'defaultMaxListeners', {
  get() { return defaultMaxListeners; },
  set(n) { defaultMaxListeners = n; },
  enumerable: true,
});
EventEmitter.EventEmitter = EventEmitter;
EventEmitter.listenerCount = (emitter, type) => emitter.listenerCount(type);
EventEmitter.once = function once(emitter, name) {
  return new Promise((resolve, reject) => {
    const onError = (err) => {
      emitter.removeListener(name, onEvent);
      reject(err);
    };
    const onEvent = (...args) => {
      if (name !== 'error') {
        emitter.removeListener('error', onError);
      }
      resolve(args);
    };
    emitter.once(name, onEvent);
    if (name !== 'error') {
      emitter.once('error', onError);
    }
  });
};
EventEmitter.errorMonitor = Symbol('events.errorMonitor');

module.exports = EventEmitter;
