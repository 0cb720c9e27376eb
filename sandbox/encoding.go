package sandbox

import (
	"encoding/base64"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/dop251/goja"
)

// encodingGlobals are the globals installEncoding defines.
var encodingGlobals = []string{"TextEncoder", "TextDecoder", "atob", "btoa"}

// encodingPrelude defines TextEncoder, TextDecoder, atob and btoa on top of
// native helpers that do the byte work.
var encodingPrelude = goja.MustCompile("hookengine:encoding", `(function (global, native) {
  'use strict';
  const kState = Symbol('state');
  const Uint8ArrayCtor = Uint8Array;
  const TypeErrorCtor = TypeError;
  const RangeErrorCtor = RangeError;
  const labels = {
    'utf-8': 'utf-8', 'utf8': 'utf-8', 'unicode-1-1-utf-8': 'utf-8', 'unicode11utf8': 'utf-8', 'unicode20utf8': 'utf-8', 'x-unicode20utf8': 'utf-8',
    'utf-16le': 'utf-16le', 'utf-16': 'utf-16le', 'ucs-2': 'utf-16le', 'unicode': 'utf-16le', 'csunicode': 'utf-16le', 'iso-10646-ucs-2': 'utf-16le', 'unicodefeff': 'utf-16le',
    'latin1': 'windows-1252', 'iso-8859-1': 'windows-1252', 'ascii': 'windows-1252', 'us-ascii': 'windows-1252', 'windows-1252': 'windows-1252', 'l1': 'windows-1252', 'cp1252': 'windows-1252', 'iso8859-1': 'windows-1252', 'iso_8859-1': 'windows-1252', 'x-cp1252': 'windows-1252',
  };
  function bytesOf(input, what) {
    if (input === undefined) {
      return new Uint8ArrayCtor(0);
    }
    if (input instanceof ArrayBuffer) {
      return new Uint8ArrayCtor(input);
    }
    if (ArrayBuffer.isView(input)) {
      return new Uint8ArrayCtor(input.buffer, input.byteOffset, input.byteLength);
    }
    const err = new TypeErrorCtor('The "' + what + '" argument must be an instance of ArrayBuffer or ArrayBufferView.');
    err.code = 'ERR_INVALID_ARG_TYPE';
    throw err;
  }

  class TextEncoder {
    get encoding() { return 'utf-8'; }
    encode(input = '') {
      return new Uint8ArrayCtor(native.encode(String(input)));
    }
    encodeInto(src, dest) {
      if (!(dest instanceof Uint8ArrayCtor)) {
        const err = new TypeErrorCtor('The "dest" argument must be an instance of Uint8Array.');
        err.code = 'ERR_INVALID_ARG_TYPE';
        throw err;
      }
      const [read, bytes] = native.encodeInto(String(src), dest.length);
      dest.set(new Uint8ArrayCtor(bytes));
      return { read, written: bytes.byteLength };
    }
  }
  Object.defineProperty(TextEncoder.prototype, Symbol.toStringTag, { value: 'TextEncoder', configurable: true });

  class TextDecoder {
    constructor(label = 'utf-8', options = {}) {
      const key = String(label).trim().toLowerCase();
      const encoding = labels[key];
      if (encoding === undefined) {
        const err = new RangeErrorCtor('The "' + label + '" encoding is not supported');
        err.code = 'ERR_ENCODING_NOT_SUPPORTED';
        throw err;
      }
      options = options === null || options === undefined ? {} : options;
      this[kState] = { encoding, fatal: Boolean(options.fatal), ignoreBOM: Boolean(options.ignoreBOM), pending: null, bomSeen: false };
    }
    get encoding() { return this[kState].encoding; }
    get fatal() { return this[kState].fatal; }
    get ignoreBOM() { return this[kState].ignoreBOM; }
    decode(input, options = {}) {
      const st = this[kState];
      let bytes = bytesOf(input, 'input');
      const stream = Boolean(options && options.stream);
      if (st.pending !== null) {
        const joined = new Uint8ArrayCtor(st.pending.length + bytes.length);
        joined.set(st.pending);
        joined.set(bytes, st.pending.length);
        bytes = joined;
        st.pending = null;
      }
      const [text, rest, bad] = native.decode(st.encoding, bytes.slice().buffer, st.fatal, stream);
      if (bad) {
        st.bomSeen = false;
        const err = new TypeErrorCtor('The encoded data was not valid for encoding ' + st.encoding);
        err.code = 'ERR_ENCODING_INVALID_ENCODED_DATA';
        throw err;
      }
      if (rest > 0) {
        st.pending = bytes.slice(bytes.length - rest);
      }
      let out = text;
      if (!st.ignoreBOM && !st.bomSeen && out.length > 0) {
        if (out.charCodeAt(0) === 0xFEFF) {
          out = out.slice(1);
        }
        st.bomSeen = true;
      }
      if (!stream) {
        st.bomSeen = false;
      }
      return out;
    }
  }
  Object.defineProperty(TextDecoder.prototype, Symbol.toStringTag, { value: 'TextDecoder', configurable: true });

  function invalidCharacter(message) {
    if (typeof global.DOMException === 'function') {
      return new global.DOMException(message, 'InvalidCharacterError');
    }
    const err = new Error(message);
    err.name = 'InvalidCharacterError';
    return err;
  }
  function btoa(input) {
    if (arguments.length === 0) {
      const err = new TypeErrorCtor('The "data" argument must be specified');
      err.code = 'ERR_MISSING_ARGS';
      throw err;
    }
    const out = native.btoa(String(input));
    if (out === null) {
      throw invalidCharacter('Invalid character');
    }
    return out;
  }
  function atob(input) {
    if (arguments.length === 0) {
      const err = new TypeErrorCtor('The "data" argument must be specified');
      err.code = 'ERR_MISSING_ARGS';
      throw err;
    }
    const out = native.atob(String(input));
    if (out === null) {
      throw invalidCharacter('The string to be decoded is not correctly encoded.');
    }
    return out;
  }

  const define = (name, value) => Object.defineProperty(global, name, { value, writable: true, configurable: true });
  define('TextEncoder', TextEncoder);
  define('TextDecoder', TextDecoder);
  define('atob', atob);
  define('btoa', btoa);
})`, true)

// installEncoding runs encodingPrelude, on the first use of one of
// encodingGlobals.
func (r *Runtime) installEncoding() error {
	vm := r.vm
	native := vm.NewObject()
	_ = native.Set("encode", r.Func("encode", func(call goja.FunctionCall) goja.Value {
		return vm.ToValue(vm.NewArrayBuffer(utf8Of(call.Argument(0))))
	}))
	_ = native.Set("encodeInto", r.Func("encodeInto", func(call goja.FunctionCall) goja.Value {
		read, b := encodeInto(call.Argument(0), int(call.Argument(1).ToInteger()))
		return vm.NewArray(read, vm.NewArrayBuffer(b))
	}))
	_ = native.Set("decode", r.Func("decode", func(call goja.FunctionCall) goja.Value {
		buf, _ := call.Argument(1).Export().(goja.ArrayBuffer)
		text, rest, bad := decodeText(call.Argument(0).String(), buf.Bytes(), call.Argument(2).ToBoolean(), call.Argument(3).ToBoolean())
		return vm.NewArray(r.hostString(text), rest, bad)
	}))
	_ = native.Set("btoa", r.Func("btoa", func(call goja.FunctionCall) goja.Value {
		s := units(call.Argument(0))
		b := make([]byte, len(s))
		for i, c := range s {
			if c > 0xFF {
				return goja.Null()
			}
			b[i] = byte(c)
		}
		return r.hostString(base64.StdEncoding.EncodeToString(b))
	}))
	_ = native.Set("atob", r.Func("atob", func(call goja.FunctionCall) goja.Value {
		b, ok := forgivingBase64(call.Argument(0).String())
		if !ok {
			return goja.Null()
		}
		return r.hostString(latin1String(b))
	}))
	fn, err := vm.RunProgram(encodingPrelude)
	if err != nil {
		return err
	}
	call, _ := goja.AssertFunction(fn)
	_, err = call(goja.Undefined(), vm.GlobalObject(), native)
	return err
}

// units returns the UTF-16 code units of a script string.
func units(v goja.Value) []uint16 {
	s, ok := v.ToString().(goja.String)
	if !ok {
		return utf16.Encode([]rune(v.String()))
	}
	n := s.Length()
	u := make([]uint16, n)
	for i := range n {
		u[i] = s.CharAt(i)
	}
	return u
}

// utf8Of encodes a script string as UTF-8, lone surrogates becoming U+FFFD
// as the Encoding standard says.
func utf8Of(v goja.Value) []byte {
	u := units(v)
	b := make([]byte, 0, len(u))
	for i := 0; i < len(u); i++ {
		c := rune(u[i])
		switch {
		case utf16.IsSurrogate(c) && c < 0xDC00 && i+1 < len(u) && u[i+1] >= 0xDC00 && u[i+1] <= 0xDFFF:
			c = utf16.DecodeRune(c, rune(u[i+1]))
			i++
		case utf16.IsSurrogate(c):
			c = utf8.RuneError
		}
		b = utf8.AppendRune(b, c)
	}
	return b
}

// encodeInto encodes as much of a string as fits in n bytes, never
// splitting a character, and reports how many UTF-16 code units it read.
func encodeInto(v goja.Value, n int) (read int, b []byte) {
	u := units(v)
	b = make([]byte, 0, min(n, 3*len(u)))
	for i := 0; i < len(u); {
		c, w := rune(u[i]), 1
		switch {
		case utf16.IsSurrogate(c) && c < 0xDC00 && i+1 < len(u) && u[i+1] >= 0xDC00 && u[i+1] <= 0xDFFF:
			c, w = utf16.DecodeRune(c, rune(u[i+1])), 2
		case utf16.IsSurrogate(c):
			c = utf8.RuneError
		}
		if len(b)+utf8.RuneLen(c) > n {
			break
		}
		b = utf8.AppendRune(b, c)
		i += w
		read = i
	}
	return read, b
}

// decodeText decodes b. rest is the number of trailing bytes of an
// incomplete character kept for the next call when streaming; bad reports
// invalid data when fatal is set.
func decodeText(encoding string, b []byte, fatal, stream bool) (text string, rest int, bad bool) {
	switch encoding {
	case "utf-16le":
		if stream && len(b)%2 == 1 {
			rest = 1
			b = b[:len(b)-1]
		}
		u := make([]uint16, 0, len(b)/2)
		for i := 0; i+1 < len(b); i += 2 {
			u = append(u, uint16(b[i])|uint16(b[i+1])<<8)
		}
		if stream && len(u) > 0 && u[len(u)-1] >= 0xD800 && u[len(u)-1] < 0xDC00 {
			u = u[:len(u)-1]
			rest += 2
		}
		var sb strings.Builder
		for i := 0; i < len(u); i++ {
			c := rune(u[i])
			switch {
			case c >= 0xD800 && c < 0xDC00 && i+1 < len(u) && u[i+1] >= 0xDC00 && u[i+1] <= 0xDFFF:
				c = utf16.DecodeRune(c, rune(u[i+1]))
				i++
			case utf16.IsSurrogate(c):
				if fatal {
					return "", 0, true
				}
				c = utf8.RuneError
			}
			sb.WriteRune(c)
		}
		if len(b)%2 == 1 {
			if fatal {
				return "", 0, true
			}
			sb.WriteRune(utf8.RuneError)
		}
		return sb.String(), rest, false
	case "windows-1252":
		return windows1252(b), 0, false
	}
	return decodeUTF8(b, fatal, stream)
}

// decodeUTF8 is the Encoding standard's UTF-8 decoder: each maximal invalid
// subpart becomes one U+FFFD.
func decodeUTF8(b []byte, fatal, stream bool) (string, int, bool) {
	var sb strings.Builder
	sb.Grow(len(b))
	i := 0
	for i < len(b) {
		c := b[i]
		if c < 0x80 {
			sb.WriteByte(c)
			i++
			continue
		}
		need, lower, upper := 0, byte(0x80), byte(0xBF)
		switch {
		case c >= 0xC2 && c <= 0xDF:
			need = 1
		case c >= 0xE0 && c <= 0xEF:
			need = 2
			if c == 0xE0 {
				lower = 0xA0
			} else if c == 0xED {
				upper = 0x9F
			}
		case c >= 0xF0 && c <= 0xF4:
			need = 3
			if c == 0xF0 {
				lower = 0x90
			} else if c == 0xF4 {
				upper = 0x8F
			}
		default:
			if fatal {
				return "", 0, true
			}
			sb.WriteRune(utf8.RuneError)
			i++
			continue
		}
		j := i + 1
		ok := true
		for k := 0; k < need; k++ {
			if j >= len(b) {
				if stream {
					return sb.String(), len(b) - i, false
				}
				ok = false
				break
			}
			lo, hi := byte(0x80), byte(0xBF)
			if k == 0 {
				lo, hi = lower, upper
			}
			if b[j] < lo || b[j] > hi {
				ok = false
				break
			}
			j++
		}
		if !ok {
			if fatal {
				return "", 0, true
			}
			sb.WriteRune(utf8.RuneError)
			i = j
			continue
		}
		sb.Write(b[i:j])
		i = j
	}
	return sb.String(), 0, false
}

// cp1252 maps bytes 0x80-0x9F of windows-1252; the rest is Latin-1.
var cp1252 = [32]rune{
	0x20AC, 0x81, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x8D, 0x017D, 0x8F,
	0x90, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x9D, 0x017E, 0x0178,
}

func windows1252(b []byte) string {
	var sb strings.Builder
	for _, c := range b {
		if c >= 0x80 && c < 0xA0 {
			sb.WriteRune(cp1252[c-0x80])
		} else {
			sb.WriteRune(rune(c))
		}
	}
	return sb.String()
}

// latin1String makes a string of one character per byte, as atob returns.
func latin1String(b []byte) string {
	var sb strings.Builder
	sb.Grow(len(b) * 2)
	for _, c := range b {
		sb.WriteRune(rune(c))
	}
	return sb.String()
}

// forgivingBase64 decodes as the HTML standard's forgiving-base64 decode:
// ASCII whitespace is ignored and padding is optional.
func forgivingBase64(s string) ([]byte, bool) {
	s = strings.Map(func(c rune) rune {
		if c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r' {
			return -1
		}
		return c
	}, s)
	if len(s)%4 == 0 {
		s = strings.TrimSuffix(s, "=")
		s = strings.TrimSuffix(s, "=")
	}
	if len(s)%4 == 1 || strings.ContainsRune(s, '=') {
		return nil, false
	}
	// Without Strict, the unused bits of the last character are ignored, as
	// the forgiving decoder wants.
	b, err := base64.RawStdEncoding.DecodeString(s)
	return b, err == nil
}
