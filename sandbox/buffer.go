package sandbox

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"strings"

	"github.com/dop251/goja"
	"github.com/dop251/goja_nodejs/buffer"
)

// bufferExtras completes goja_nodejs's Buffer with what Node scripts
// commonly use and it lacks: Buffer.byteLength, isBuffer, isEncoding,
// compare, allocUnsafe, the latin1/binary, ascii, base64url and
// utf16le/ucs2 encodings, toJSON, a slice that shares memory and returns a
// Buffer (as Node's does), copy, compare, and indexOf/includes with strings
// and buffers. Methods derived through Symbol.species (subarray, map,
// filter) return Buffers.
var bufferExtras = goja.MustCompile("hookengine:buffer", `(function (Buffer, native) {
  'use strict';
  const apply = Reflect.apply;
  const U8 = Uint8Array;
  const origFrom = Buffer.from;
  // Every allocation by size goes through here: the size is checked
  // against the run's memory limit before goja_nodejs makes the bytes.
  const allocUnchecked = Buffer.alloc;
  const origAlloc = function (size, ...rest) {
    native.charge(Number(size));
    return apply(allocUnchecked, this, [size, ...rest]);
  };
  const proto = Buffer.prototype;
  const typedIndexOf = U8.prototype.indexOf;
  const typedLastIndexOf = U8.prototype.lastIndexOf;
  const names = {
    utf8: 'utf8', 'utf-8': 'utf8', hex: 'hex', base64: 'base64', base64url: 'base64url',
    latin1: 'latin1', binary: 'latin1', ascii: 'ascii',
    ucs2: 'utf16le', 'ucs-2': 'utf16le', utf16le: 'utf16le', 'utf-16le': 'utf16le',
  };
  function encodingOf(enc) {
    if (enc === undefined || enc === null) {
      return 'utf8';
    }
    const e = names[String(enc).toLowerCase()];
    if (e === undefined) {
      const err = new TypeError('Unknown encoding: ' + enc);
      err.code = 'ERR_UNKNOWN_ENCODING';
      throw err;
    }
    return e;
  }
  function fromString(str, enc) {
    return apply(origFrom, Buffer, [native.encode(str, encodingOf(enc))]);
  }
  function toBytes(v, enc) {
    if (typeof v === 'string') {
      return fromString(v, enc);
    }
    if (v instanceof ArrayBuffer) {
      return new U8(v);
    }
    if (ArrayBuffer.isView(v)) {
      return new U8(v.buffer, v.byteOffset, v.byteLength);
    }
    return null;
  }
  function FastBuffer(a, b, c) {
    if (typeof a === 'number') {
      return apply(origAlloc, Buffer, [a]);
    }
    return apply(origFrom, Buffer, [a, b, c]);
  }
  Object.defineProperty(Buffer, Symbol.species, { get() { return FastBuffer; }, configurable: true });

  Buffer.from = function from(value, encodingOrOffset, length) {
    if (typeof value === 'string') {
      return fromString(value, encodingOrOffset);
    }
    if (value !== null && typeof value === 'object' && !(value instanceof ArrayBuffer) && !ArrayBuffer.isView(value)) {
      // goja_nodejs would read an array-like's length itself, again, and
      // make that many bytes before looking at them: the copy is made here,
      // from the length read once and charged first.
      const v = typeof value.valueOf === 'function' ? value.valueOf() : value;
      if (v !== value) {
        return from(v, encodingOrOffset, length);
      }
      const prim = value[Symbol.toPrimitive];
      if (typeof prim === 'function') {
        return from(apply(prim, value, ['string']), encodingOrOffset, length);
      }
      if (value.length !== undefined) {
        const n = Math.max(0, Math.trunc(Number(value.length)) || 0);
        native.charge(n);
        const bytes = new U8(n);
        for (let i = 0; i < n; i++) {
          bytes[i] = value[i];
        }
        return apply(origFrom, Buffer, [bytes.buffer]);
      }
    }
    return apply(origFrom, Buffer, arguments);
  };
  // concat makes a buffer of totalLength bytes whatever the list holds.
  const origConcat = Buffer.concat;
  Buffer.concat = function concat(list, totalLength) {
    if (totalLength !== undefined) {
      native.charge(Number(totalLength));
    }
    return apply(origConcat, Buffer, arguments);
  };
  Buffer.alloc = function alloc(size, fill, encoding) {
    if (typeof fill === 'string' && fill.length > 0) {
      const buf = apply(origAlloc, Buffer, [size]);
      const pattern = fromString(fill, encoding);
      if (pattern.length === 0) {
        return buf;
      }
      for (let i = 0; i < buf.length; i++) {
        buf[i] = pattern[i % pattern.length];
      }
      return buf;
    }
    return apply(origAlloc, Buffer, arguments);
  };
  Buffer.allocUnsafe = function allocUnsafe(size) { return apply(origAlloc, Buffer, [size]); };
  Buffer.allocUnsafeSlow = function allocUnsafeSlow(size) { return apply(origAlloc, Buffer, [size]); };
  Buffer.isBuffer = function isBuffer(b) { return b instanceof Buffer; };
  Buffer.isEncoding = function isEncoding(enc) {
    return typeof enc === 'string' && enc.length > 0 && names[enc.toLowerCase()] !== undefined;
  };
  Buffer.byteLength = function byteLength(value, encoding) {
    if (typeof value === 'string') {
      return native.byteLength(value, encodingOf(encoding));
    }
    if (value instanceof ArrayBuffer || ArrayBuffer.isView(value)) {
      return value.byteLength;
    }
    const err = new TypeError('The "string" argument must be of type string or an instance of Buffer or ArrayBuffer.');
    err.code = 'ERR_INVALID_ARG_TYPE';
    throw err;
  };
  Buffer.compare = function compare(a, b) {
    if (!(a instanceof U8) || !(b instanceof U8)) {
      const err = new TypeError('The "buf1" and "buf2" arguments must be instances of Buffer or Uint8Array.');
      err.code = 'ERR_INVALID_ARG_TYPE';
      throw err;
    }
    return native.compare(a, b);
  };

  Object.defineProperty(proto, 'toString', {
    value: function toString(encoding, start, end) {
      const len = this.length;
      start = start === undefined ? 0 : Math.max(0, Math.trunc(Number(start)) || 0);
      end = end === undefined ? len : Math.min(len, Math.trunc(Number(end)) || 0);
      if (start >= end) {
        return '';
      }
      return native.decode(this, encodingOf(encoding), start, end);
    }, writable: true, configurable: true,
  });
  Object.defineProperty(proto, 'toJSON', {
    value: function toJSON() { return { type: 'Buffer', data: Array.from(this) }; }, writable: true, configurable: true,
  });
  Object.defineProperty(proto, 'slice', {
    value: function slice(start, end) { return this.subarray(start, end); }, writable: true, configurable: true,
  });
  Object.defineProperty(proto, 'copy', {
    value: function copy(target, targetStart = 0, sourceStart = 0, sourceEnd = this.length) {
      targetStart = Math.max(0, Math.trunc(targetStart) || 0);
      sourceStart = Math.max(0, Math.trunc(sourceStart) || 0);
      sourceEnd = Math.min(this.length, Math.trunc(sourceEnd) || 0);
      if (sourceStart >= sourceEnd || targetStart >= target.length) {
        return 0;
      }
      const n = Math.min(sourceEnd - sourceStart, target.length - targetStart);
      target.set(this.subarray(sourceStart, sourceStart + n), targetStart);
      return n;
    }, writable: true, configurable: true,
  });
  Object.defineProperty(proto, 'compare', {
    value: function compare(target) { return Buffer.compare(this, target); }, writable: true, configurable: true,
  });
  function search(buf, value, byteOffset, encoding, last) {
    if (typeof byteOffset === 'string') {
      encoding = byteOffset;
      byteOffset = undefined;
    }
    const needle = toBytes(value, encoding);
    if (needle === null) {
      return apply(last ? typedLastIndexOf : typedIndexOf, buf, byteOffset === undefined ? [value] : [value, byteOffset]);
    }
    let from = byteOffset === undefined ? (last ? buf.length : 0) : Math.trunc(Number(byteOffset)) || 0;
    if (from < 0) {
      from = Math.max(0, buf.length + from);
    }
    return native.search(buf, needle, from, last);
  }
  Object.defineProperty(proto, 'indexOf', {
    value: function indexOf(value, byteOffset, encoding) { return search(this, value, byteOffset, encoding, false); },
    writable: true, configurable: true,
  });
  Object.defineProperty(proto, 'lastIndexOf', {
    value: function lastIndexOf(value, byteOffset, encoding) { return search(this, value, byteOffset, encoding, true); },
    writable: true, configurable: true,
  });
  Object.defineProperty(proto, 'includes', {
    value: function includes(value, byteOffset, encoding) { return search(this, value, byteOffset, encoding, false) !== -1; },
    writable: true, configurable: true,
  });
})`, true)

// requireBuffer builds the buffer module: goja_nodejs's, completed by
// bufferExtras.
func (r *Runtime) requireBuffer(module *goja.Object) {
	vm := r.vm
	buffer.Require(vm, module)
	exports := module.Get("exports").(*goja.Object)
	ctor := exports.Get("Buffer")
	native := vm.NewObject()
	_ = native.Set("charge", r.Func("charge", func(call goja.FunctionCall) goja.Value {
		r.chargeAllocFloat(call.Argument(0).ToFloat())
		return goja.Undefined()
	}))
	_ = native.Set("encode", r.Func("encode", func(call goja.FunctionCall) goja.Value {
		return vm.ToValue(vm.NewArrayBuffer(encodeString(call.Argument(0), call.Argument(1).String())))
	}))
	_ = native.Set("decode", r.Func("decode", func(call goja.FunctionCall) goja.Value {
		b := bytesOf(vm, call.Argument(0))
		start, end := int(call.Argument(2).ToInteger()), int(call.Argument(3).ToInteger())
		if start < 0 || end > len(b) || start > end {
			return vm.ToValue("")
		}
		return r.hostValue(decodeString(vm, b[start:end], call.Argument(1).String()))
	}))
	_ = native.Set("byteLength", r.Func("byteLength", func(call goja.FunctionCall) goja.Value {
		v, enc := call.Argument(0), call.Argument(1).String()
		switch enc {
		case "utf8":
			return vm.ToValue(len(utf8Of(v)))
		case "latin1", "ascii":
			return vm.ToValue(len(units(v)))
		case "utf16le":
			return vm.ToValue(2 * len(units(v)))
		}
		return vm.ToValue(len(encodeString(v, enc)))
	}))
	_ = native.Set("compare", r.Func("compare", func(call goja.FunctionCall) goja.Value {
		return vm.ToValue(bytes.Compare(bytesOf(vm, call.Argument(0)), bytesOf(vm, call.Argument(1))))
	}))
	_ = native.Set("search", r.Func("search", func(call goja.FunctionCall) goja.Value {
		hay, needle := bytesOf(vm, call.Argument(0)), bytesOf(vm, call.Argument(1))
		from := int(call.Argument(2).ToInteger())
		if call.Argument(3).ToBoolean() {
			end := min(len(hay), from+len(needle))
			if end < 0 {
				return vm.ToValue(-1)
			}
			return vm.ToValue(bytes.LastIndex(hay[:end], needle))
		}
		if from > len(hay) {
			return vm.ToValue(-1)
		}
		i := bytes.Index(hay[from:], needle)
		if i >= 0 {
			i += from
		}
		return vm.ToValue(i)
	}))
	fn, err := vm.RunProgram(bufferExtras)
	if err != nil {
		panic(err)
	}
	call, _ := goja.AssertFunction(fn)
	if _, err := call(goja.Undefined(), ctor, native); err != nil {
		panic(err)
	}
}

// encodeString turns a string into bytes as Buffer.from(string, enc) does.
func encodeString(v goja.Value, enc string) []byte {
	switch enc {
	case "hex":
		s := v.String()
		b := make([]byte, 0, len(s)/2)
		for i := 0; i+1 < len(s); i += 2 {
			x, err := hex.DecodeString(s[i : i+2])
			if err != nil {
				break // Node stops at the first pair that is not hex
			}
			b = append(b, x[0])
		}
		return b
	case "base64", "base64url":
		return decodeBase64Loose(v.String())
	case "latin1", "ascii":
		u := units(v)
		b := make([]byte, len(u))
		for i, c := range u {
			b[i] = byte(c)
		}
		return b
	case "utf16le":
		u := units(v)
		b := make([]byte, 2*len(u))
		for i, c := range u {
			b[2*i], b[2*i+1] = byte(c), byte(c>>8)
		}
		return b
	}
	return utf8Of(v)
}

// decodeString turns bytes into a string as buf.toString(enc) does.
func decodeString(vm *goja.Runtime, b []byte, enc string) goja.Value {
	switch enc {
	case "hex":
		return vm.ToValue(hex.EncodeToString(b))
	case "base64":
		return vm.ToValue(base64.StdEncoding.EncodeToString(b))
	case "base64url":
		return vm.ToValue(base64.RawURLEncoding.EncodeToString(b))
	case "latin1":
		return vm.ToValue(latin1String(b))
	case "ascii":
		a := make([]byte, len(b))
		for i, c := range b {
			a[i] = c & 0x7F
		}
		return vm.ToValue(string(a))
	case "utf16le":
		u := make([]uint16, len(b)/2)
		for i := range u {
			u[i] = uint16(b[2*i]) | uint16(b[2*i+1])<<8
		}
		return goja.StringFromUTF16(u)
	}
	s, _, _ := decodeUTF8(b, false, false)
	return vm.ToValue(s)
}

// decodeBase64Loose decodes base64 as Node's Buffer does: both the standard
// and the URL alphabet, characters outside them skipped, stopping at the
// first '='.
func decodeBase64Loose(s string) []byte {
	const std = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	out := make([]byte, 0, len(s)*3/4)
	var acc uint32
	bits := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '=' {
			break
		}
		switch c {
		case '-':
			c = '+'
		case '_':
			c = '/'
		}
		v := strings.IndexByte(std, c)
		if v < 0 {
			continue
		}
		acc = acc<<6 | uint32(v)
		bits += 6
		if bits >= 8 {
			bits -= 8
			out = append(out, byte(acc>>bits))
		}
	}
	return out
}
