package sandbox_test

import (
	"context"
	"testing"
)

func TestEncodingGlobals(t *testing.T) {
	tests := []struct {
		desc, src, want string
	}{
		{"encode", `Array.from(new TextEncoder().encode('h€')).join()`, "104,226,130,172"},
		{"encode nothing", `new TextEncoder().encode().length`, "0"},
		{"encode a lone surrogate", `Array.from(new TextEncoder().encode('\ud800')).join()`, "239,191,189"},
		{"encode a pair", `new TextEncoder().encode('😀').length`, "4"},
		{"encoding", `new TextEncoder().encoding + ' ' + new TextDecoder().encoding`, "utf-8 utf-8"},
		{"encodeInto", `const d = new Uint8Array(4); const r = new TextEncoder().encodeInto('a€b', d); [r.read, r.written, Array.from(d).join(' ')].join()`,
			"2,4,97 226 130 172"},
		{"round trip", `new TextDecoder().decode(new TextEncoder().encode('zoë 😀 €'))`, "zoë 😀 €"},
		{"decode an ArrayBuffer", `new TextDecoder().decode(new Uint8Array([104, 105]).buffer)`, "hi"},
		{"decode a DataView", `new TextDecoder().decode(new DataView(new Uint8Array([0, 104, 105]).buffer, 1))`, "hi"},
		{"decode a Buffer", `new TextDecoder().decode(Buffer.from('héllo'))`, "héllo"},
		{"decode nothing", `new TextDecoder().decode()`, ""},
		{"BOM dropped", `new TextDecoder().decode(new Uint8Array([0xEF, 0xBB, 0xBF, 0x61]))`, "a"},
		{"BOM kept", `new TextDecoder('utf-8', { ignoreBOM: true }).decode(new Uint8Array([0xEF, 0xBB, 0xBF, 0x61])).length`, "2"},
		{"invalid bytes", `new TextDecoder().decode(new Uint8Array([0x61, 0xFF, 0xF0, 0x9F, 0x98, 0x62]))`, "a\uFFFD\uFFFDb"},
		{"fatal", `try { new TextDecoder('utf8', { fatal: true }).decode(new Uint8Array([0xFF])) } catch (e) { e.name + ' ' + e.code }`,
			"TypeError ERR_ENCODING_INVALID_ENCODED_DATA"},
		{"stream", `const d = new TextDecoder(); const b = new TextEncoder().encode('€€'); d.decode(b.subarray(0, 2), { stream: true }) + '|' + d.decode(b.subarray(2))`,
			"|€€"},
		{"utf-16le", `new TextDecoder('utf-16le').decode(new Uint8Array([104, 0, 172, 32]))`, "h€"},
		{"latin1 is windows-1252", `new TextDecoder('latin1').decode(new Uint8Array([0x80, 0xE9]))`, "€é"},
		{"unknown label", `try { new TextDecoder('klingon') } catch (e) { e.name + ' ' + e.code }`, "RangeError ERR_ENCODING_NOT_SUPPORTED"},
		{"btoa", `btoa('hello')`, "aGVsbG8="},
		{"btoa latin1", `btoa('\xff\xfe')`, "//4="},
		{"btoa outside latin1", `try { btoa('€') } catch (e) { e.name }`, "InvalidCharacterError"},
		{"atob", `atob('aGVsbG8=')`, "hello"},
		{"atob without padding and with spaces", `atob(' aGVs bG8 ')`, "hello"},
		{"atob binary", `Array.from(atob('//4='), (c) => c.charCodeAt(0)).join()`, "255,254"},
		{"atob invalid", `try { atob('a') } catch (e) { e.name }`, "InvalidCharacterError"},
		{"atob bad character", `try { atob('ab$=') } catch (e) { e.name }`, "InvalidCharacterError"},
		{"atob needs an argument", `try { atob() } catch (e) { e.code }`, "ERR_MISSING_ARGS"},
		{"globals can be replaced", `atob = () => 'mine'; atob('x')`, "mine"},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			rt := newRuntime(t, nil)
			begin(t, rt, context.Background(), roomy, nil)
			if got := eval(t, rt, tt.src); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestBufferExtras(t *testing.T) {
	tests := []struct {
		desc, src, want string
	}{
		{"byteLength utf8", `Buffer.byteLength('héllo €')`, "10"},
		{"byteLength base64", `Buffer.byteLength('aGVsbG8=', 'base64')`, "5"},
		{"byteLength hex", `Buffer.byteLength('abcd', 'hex')`, "2"},
		{"byteLength of bytes", `Buffer.byteLength(new Uint8Array(7))`, "7"},
		{"isBuffer", `[Buffer.isBuffer(Buffer.from('x')), Buffer.isBuffer(new Uint8Array(1)), Buffer.isBuffer('x')].join()`, "true,false,false"},
		{"isEncoding", `[Buffer.isEncoding('UTF8'), Buffer.isEncoding('latin1'), Buffer.isEncoding('nope')].join()`, "true,true,false"},
		{"latin1", `Buffer.from('é', 'latin1').toString('hex') + ' ' + Buffer.from([0xe9]).toString('binary')`, "e9 é"},
		{"ascii", `Buffer.from([0xe9, 0x41]).toString('ascii')`, "iA"},
		{"base64url", `Buffer.from([0xfb, 0xff]).toString('base64url') + ' ' + Buffer.from('-_8', 'base64url').toString('hex')`, "-_8 fbff"},
		{"base64 in either alphabet", `Buffer.from('+/8=', 'base64').toString('hex') + ' ' + Buffer.from('-_8', 'base64').toString('hex')`, "fbff fbff"},
		{"utf16le", `Buffer.from('h€', 'utf16le').toString('hex') + ' ' + Buffer.from('68 00 ac 20'.replace(/ /g, ''), 'hex').toString('ucs2')`, "6800ac20 h€"},
		{"hex stops at junk", `Buffer.from('abzz', 'hex').length`, "1"},
		{"unknown encoding", `try { Buffer.from('x', 'klingon') } catch (e) { e.code }`, "ERR_UNKNOWN_ENCODING"},
		{"toString range", `Buffer.from('hello').toString('utf8', 1, 3)`, "el"},
		{"toJSON", `JSON.stringify({ b: Buffer.from([1, 2]) })`, `{"b":{"type":"Buffer","data":[1,2]}}`},
		{"slice shares memory", `const b = Buffer.from('abc'); const s = b.slice(1); s[0] = 0x7a; b.toString() + ' ' + Buffer.isBuffer(s)`, "azc true"},
		{"subarray is a Buffer", `Buffer.isBuffer(Buffer.from('abc').subarray(1))`, "true"},
		{"map keeps Buffer", `Buffer.from('ab').map((c) => c + 1).toString()`, "bc"},
		{"copy", `const t = Buffer.alloc(4); const n = Buffer.from('xyz').copy(t, 1); n + ' ' + t.toString('hex')`, "3 0078797a"},
		{"compare", `[Buffer.compare(Buffer.from('a'), Buffer.from('b')), Buffer.from('b').compare(Buffer.from('a')), Buffer.from('a').compare(Buffer.from('a'))].join()`,
			"-1,1,0"},
		{"indexOf string", `Buffer.from('hello world').indexOf('o') + ' ' + Buffer.from('hello world').lastIndexOf('o')`, "4 7"},
		{"includes buffer", `Buffer.from('hello').includes(Buffer.from('ell'))`, "true"},
		{"indexOf number", `Buffer.from('hello').indexOf(0x6c)`, "2"},
		{"alloc with a string fill", `Buffer.alloc(5, 'ab').toString()`, "ababa"},
		{"alloc with an encoded fill", `Buffer.alloc(3, 'ff', 'hex').toString('hex')`, "ffffff"},
		{"allocUnsafe", `Buffer.allocUnsafe(3).length`, "3"},
		{"concat", `Buffer.concat([Buffer.from('a'), Buffer.from('b')]).toString()`, "ab"},
		{"from array", `Buffer.from([104, 105]).toString()`, "hi"},
		{"equals", `Buffer.from('a').equals(Buffer.from('a'))`, "true"},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			rt := newRuntime(t, nil)
			begin(t, rt, context.Background(), roomy, nil)
			if got := eval(t, rt, tt.src); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}
