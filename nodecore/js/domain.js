// domain: the shape of Node's deprecated domain module that packages such
// as aws-sdk v2 probe (domain.active, create().run()). A domain does not
// catch errors here: run and bind call through, and errors end the run as
// they would without a domain.
'use strict';
const EventEmitter = require('events');

class Domain extends EventEmitter {
  constructor() {
    super();
    this.members = [];
  }
  add(ee) { this.members.push(ee); }
  remove(ee) {
    const i = this.members.indexOf(ee);
    if (i >= 0) this.members.splice(i, 1);
  }
  run(fn, ...args) { return fn.apply(this, args); }
  bind(fn) { return fn; }
  intercept(fn) {
    const self = this;
    return function (err, ...args) {
      if (err) {
        self.emit('error', err);
        return undefined;
      }
      return fn.apply(this, args);
    };
  }
  enter() {}
  exit() {}
  dispose() {}
}

module.exports = {
  Domain,
  active: null,
  create: () => new Domain(),
  createDomain: () => new Domain(),
};
