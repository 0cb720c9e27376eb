// assert: Node's assert module (legacy and strict modes).
'use strict';
const util = require('util');

class AssertionError extends Error {
  constructor(options) {
    options = options || {};
    super(options.message !== undefined ? String(options.message) :
      util.inspect(options.actual) + ' ' + options.operator + ' ' + util.inspect(options.expected));
    this.name = 'AssertionError';
    this.code = 'ERR_ASSERTION';
    this.actual = options.actual;
    this.expected = options.expected;
    this.operator = options.operator;
    this.generatedMessage = options.message === undefined;
  }
}

function fail(actual, expected, message, operator, defaultMessage) {
  if (message instanceof Error) throw message;
  throw new AssertionError({ actual, expected, operator, message: message !== undefined ? message : defaultMessage });
}

function isDeepEqual(a, b, strict, seen) {
  if (strict ? Object.is(a, b) : a == b || (a !== a && b !== b)) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (strict && Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false;
  if (Object.prototype.toString.call(a) !== Object.prototype.toString.call(b)) return false;
  if (a instanceof Date) return a.getTime() === b.getTime();
  if (a instanceof RegExp) return String(a) === String(b);
  seen = seen || [];
  for (const [x, y] of seen) {
    if (x === a && y === b) return true;
  }
  seen.push([a, b]);
  if (ArrayBuffer.isView(a)) {
    if (a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
    return true;
  }
  if (a instanceof Map) {
    if (a.size !== b.size) return false;
    for (const [k, v] of a) if (!b.has(k) || !isDeepEqual(v, b.get(k), strict, seen)) return false;
    return true;
  }
  if (a instanceof Set) {
    if (a.size !== b.size) return false;
    for (const v of a) if (!b.has(v)) return false;
    return true;
  }
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  for (const k of ka) {
    if (!Object.prototype.hasOwnProperty.call(b, k) || !isDeepEqual(a[k], b[k], strict, seen)) return false;
  }
  return true;
}

function matches(err, expected) {
  if (expected === undefined) return true;
  if (typeof expected === 'function') {
    if (expected.prototype !== undefined && err instanceof expected) return true;
    if (Error.isPrototypeOf(expected) || expected === Error) return false;
    return expected.call({}, err) === true;
  }
  if (expected instanceof RegExp) return expected.test(String(err && err.message !== undefined ? err : err));
  if (typeof expected === 'object' && expected !== null) {
    return Object.keys(expected).every((k) => expected[k] instanceof RegExp && typeof err[k] === 'string' ?
      expected[k].test(err[k]) : isDeepEqual(err[k], expected[k], true));
  }
  return false;
}

function makeAssert(strict) {
  const eq = strict ? (a, b) => Object.is(a, b) : (a, b) => a == b || (a !== a && b !== b);
  function assert(value, message) {
    if (!value) fail(value, true, message, '==', arguments.length === 0 ? 'No value argument passed to `assert.ok()`' : 'The expression evaluated to a falsy value');
  }
  assert.ok = assert;
  assert.AssertionError = AssertionError;
  assert.fail = (message) => fail(undefined, undefined, message, 'fail', 'Failed');
  assert.equal = (a, b, m) => { if (!eq(a, b)) fail(a, b, m, strict ? 'strictEqual' : '=='); };
  assert.notEqual = (a, b, m) => { if (eq(a, b)) fail(a, b, m, strict ? 'notStrictEqual' : '!='); };
  assert.strictEqual = (a, b, m) => { if (!Object.is(a, b)) fail(a, b, m, 'strictEqual'); };
  assert.notStrictEqual = (a, b, m) => { if (Object.is(a, b)) fail(a, b, m, 'notStrictEqual'); };
  assert.deepEqual = (a, b, m) => { if (!isDeepEqual(a, b, strict)) fail(a, b, m, strict ? 'deepStrictEqual' : 'deepEqual'); };
  assert.notDeepEqual = (a, b, m) => { if (isDeepEqual(a, b, strict)) fail(a, b, m, strict ? 'notDeepStrictEqual' : 'notDeepEqual'); };
  assert.deepStrictEqual = (a, b, m) => { if (!isDeepEqual(a, b, true)) fail(a, b, m, 'deepStrictEqual'); };
  assert.notDeepStrictEqual = (a, b, m) => { if (isDeepEqual(a, b, true)) fail(a, b, m, 'notDeepStrictEqual'); };
  assert.ifError = (v) => { if (v !== null && v !== undefined) throw v; };
  assert.match = (s, re, m) => { if (!re.test(s)) fail(s, re, m, 'match', 'The input did not match the regular expression ' + re); };
  assert.doesNotMatch = (s, re, m) => { if (re.test(s)) fail(s, re, m, 'doesNotMatch', 'The input was expected to not match the regular expression ' + re); };
  assert.throws = (fn, expected, message) => {
    if (typeof expected === 'string') [message, expected] = [expected, undefined];
    try {
      fn();
    } catch (err) {
      if (!matches(err, expected)) throw err;
      return;
    }
    fail(undefined, expected, message, 'throws', 'Missing expected exception.');
  };
  assert.doesNotThrow = (fn, expected, message) => {
    try {
      fn();
    } catch (err) {
      fail(err, expected, typeof expected === 'string' ? expected : message, 'doesNotThrow', 'Got unwanted exception.\nActual message: "' + (err && err.message) + '"');
    }
  };
  assert.rejects = async (p, expected, message) => {
    if (typeof expected === 'string') [message, expected] = [expected, undefined];
    try {
      await (typeof p === 'function' ? p() : p);
    } catch (err) {
      if (!matches(err, expected)) throw err;
      return;
    }
    fail(undefined, expected, message, 'rejects', 'Missing expected rejection.');
  };
  assert.doesNotReject = async (p, expected, message) => {
    try {
      await (typeof p === 'function' ? p() : p);
    } catch (err) {
      fail(err, expected, message, 'doesNotReject', 'Got unwanted rejection.\nActual message: "' + (err && err.message) + '"');
    }
  };
  return assert;
}

const assert = makeAssert(false);
assert.strict = makeAssert(true);
assert.strict.strict = assert.strict;
module.exports = assert;
