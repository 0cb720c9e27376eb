package modules_test

import (
	"slices"
	"testing"

	"github.com/hookengine/hookengine/enginetest"
	"github.com/hookengine/hookengine/modules"
	"github.com/hookengine/hookengine/nodecore"
	"github.com/hookengine/hookengine/sandbox"
)

func TestNames(t *testing.T) {
	want := []string{"async-generator-function", "auth0", "axios", "node-fetch", "request"}
	if got := modules.Names(); !slices.Equal(got, want) {
		t.Errorf("Names() = %q, want %q", got, want)
	}
	reg := modules.NewRegistry()
	for _, name := range slices.Concat(want, nodecore.Names(), []string{"buffer", "url", "util"}) {
		if !reg.Has(name) || !reg.Has("node:"+name) {
			t.Errorf("NewRegistry lacks %s", name)
		}
	}
	plain := sandbox.NewRegistry()
	if err := modules.Register(plain); err != nil || !plain.Has("axios@0.21.1") {
		t.Errorf("Register: %v", err)
	}
}

func TestCrypto(t *testing.T) {
	e := enginetest.New(t)
	evalCases(t, e, nil, []evalCase{
		{"sha256 hex", `require('crypto').createHash('sha256').update('abc').digest('hex')`,
			"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
		{"sha1 base64 in parts", `require('crypto').createHash('SHA1').update('ab').update(Buffer.from('c')).digest('base64')`,
			"qZk+NkcGgWq6PiVxeFDCbJzQ2J0="},
		{"md5", `require('crypto').createHash('md5').update('').digest('hex')`, "d41d8cd98f00b204e9800998ecf8427e"},
		{"sha512", `require('crypto').createHash('sha512').update('abc').digest('hex').slice(0, 16)`, "ddaf35a193617aba"},
		{"input encoding", `require('crypto').createHash('sha256').update('616263', 'hex').digest('hex').slice(0, 8)`, "ba7816bf"},
		{"digest is a Buffer", `Buffer.isBuffer(require('crypto').createHash('sha256').update('x').digest())`, "true"},
		{"copy", `(() => { const h = require('crypto').createHash('sha256').update('a'); const c = h.copy(); h.update('bc'); return h.digest('hex') === c.update('bc').digest('hex'); })()`, "true"},
		{"digest twice", `(() => { const h = require('crypto').createHash('md5'); h.digest(); try { h.digest() } catch (e) { return e.code } })()`, "ERR_CRYPTO_HASH_FINALIZED"},
		{"unknown hash", `(() => { try { require('crypto').createHash('whirlpool') } catch (e) { return e.message } })()`, "Digest method not supported"},
		{"hmac sha256", `require('crypto').createHmac('sha256', 'key').update('The quick brown fox jumps over the lazy dog').digest('hex')`,
			"f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8"},
		{"hmac with a Buffer key, base64url", `require('crypto').createHmac('sha1', Buffer.from('key')).update('').digest('base64url')`,
			"9Cuw7rAY671Fl65yE3EexgdghD8"},
		{"hash()", `require('crypto').hash('sha1', 'abc')`, "a9993e364706816aba3e25717850c26c9cd0d89d"},
		{"randomBytes", `(() => { const b = require('crypto').randomBytes(16); return Buffer.isBuffer(b) + ' ' + b.length + ' ' + b.toString('hex').length })()`,
			"true 16 32"},
		{"randomBytes callback", `new Promise((resolve) => require('crypto').randomBytes(4, (err, b) => resolve(err === null && b.length)))`, "4"},
		{"randomBytes differ", `require('crypto').randomBytes(16).toString('hex') !== require('crypto').randomBytes(16).toString('hex')`, "true"},
		{"randomUUID", `/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(require('crypto').randomUUID())`, "true"},
		{"randomFillSync a view", `(() => { const a = new Uint8Array(8); require('crypto').randomFillSync(a, 2, 4); return a[0] === 0 && a[1] === 0 && a[6] === 0 && a[7] === 0 })()`, "true"},
		{"randomInt", `(() => { const n = require('crypto').randomInt(5, 10); return n >= 5 && n < 10 })()`, "true"},
		{"getRandomValues", `require('crypto').webcrypto.getRandomValues(new Uint32Array(4)).length`, "4"},
		{"timingSafeEqual", `require('crypto').timingSafeEqual(Buffer.from('abc'), Buffer.from('abc')) + ' ' + require('crypto').timingSafeEqual(Buffer.from('abc'), Buffer.from('abd'))`,
			"true false"},
		{"timingSafeEqual lengths", `(() => { try { require('crypto').timingSafeEqual(Buffer.from('a'), Buffer.from('ab')) } catch (e) { return e.code } })()`,
			"ERR_CRYPTO_TIMING_SAFE_EQUAL_LENGTH"},
		{"getHashes", `require('crypto').getHashes().includes('sha256')`, "true"},
		{"ciphers are refused", `(() => { try { require('crypto').createCipheriv('aes-256-gcm', 'k', 'iv') } catch (e) { return e.code + ': ' + e.message } })()`,
			"ERR_FEATURE_UNAVAILABLE_ON_PLATFORM: crypto.createCipheriv is not available in hooks: only randomBytes, randomUUID, createHash, createHmac and their relatives are"},
		{"node: prefix", `require('node:crypto') === require('crypto')`, "true"},
	})
}

func TestEvents(t *testing.T) {
	e := enginetest.New(t)
	evalCases(t, e, nil, []evalCase{
		{"on and emit", `(() => { const E = require('events'); const e = new E(); const got = []; e.on('x', (a, b) => got.push(a + b)); e.emit('x', 1, 2); return got.join() + ' ' + e.emit('y') })()`,
			"3 false"},
		{"once", `(() => { const e = new (require('events'))(); let n = 0; e.once('x', () => n++); e.emit('x'); e.emit('x'); return n + ' ' + e.listenerCount('x') })()`,
			"1 0"},
		{"off", `(() => { const e = new (require('events')).EventEmitter(); const f = () => {}; e.on('x', f).on('x', f); e.off('x', f); return e.listenerCount('x') })()`,
			"1"},
		{"prepend", `(() => { const e = new (require('events'))(); const got = []; e.on('x', () => got.push('b')); e.prependListener('x', () => got.push('a')); e.emit('x'); return got.join('') })()`,
			"ab"},
		{"this is the emitter", `(() => { const e = new (require('events'))(); let self; e.on('x', function () { self = this; }); e.emit('x'); return self === e })()`,
			"true"},
		{"unhandled error throws", `(() => { const e = new (require('events'))(); try { e.emit('error', new Error('boom')) } catch (err) { return err.message } })()`,
			"boom"},
		{"subclass", `(() => { class Bus extends require('events') { constructor() { super(); this.n = 0; } } const b = new Bus(); b.on('t', () => b.n++); b.emit('t'); return b.n + ' ' + b.eventNames().join() })()`,
			"1 t"},
		{"util.inherits", `(() => { function Old() { require('events').call(this); } require('util').inherits(Old, require('events')); const o = new Old(); let ok = false; o.on('x', () => { ok = true; }); o.emit('x'); return ok })()`,
			"true"},
		{"events.once", `(async () => { const E = require('events'); const e = new E(); setTimeout(() => e.emit('ready', 42), 1); const [v] = await E.once(e, 'ready'); return v })()`,
			"42"},
		{"newListener and removeAllListeners", `(() => { const e = new (require('events'))(); const seen = []; e.on('newListener', (n) => seen.push(n)); e.on('a', () => {}); e.removeAllListeners(); return seen.join() + ' ' + e.eventNames().length })()`,
			"a 0"},
	})
}

func TestQuerystring(t *testing.T) {
	e := enginetest.New(t)
	evalCases(t, e, nil, []evalCase{
		{"stringify", `require('querystring').stringify({ a: 'x y', b: [1, 2], c: true, d: null, e: undefined, f: {} })`, "a=x%20y&b=1&b=2&c=true&d=&e=&f="},
		{"stringify sep and eq", `require('querystring').stringify({ a: 1, b: 2 }, ';', ':')`, "a:1;b:2"},
		{"parse", `JSON.stringify(require('querystring').parse('a=1&b=x+y&a=2&c&d=%C3%A9'))`, `{"a":["1","2"],"b":"x y","c":"","d":"é"}`},
		{"parse has no prototype", `Object.getPrototypeOf(require('querystring').parse('a=1'))`, "null"},
		{"parse malformed escapes", `require('querystring').parse('a=%E0%A4%A').a`, "\ufffd%A"},
		{"parse maxKeys", `Object.keys(require('querystring').parse('a=1&b=2&c=3', null, null, { maxKeys: 2 })).join()`, "a,b"},
		{"escape and unescape", `require('querystring').escape('a b&é') + ' ' + require('querystring').unescape('a%20b')`, "a%20b%26%C3%A9 a b"},
		{"aliases", `require('querystring').encode === require('querystring').stringify && require('querystring').decode === require('querystring').parse`, "true"},
	})
}

func TestPath(t *testing.T) {
	e := enginetest.New(t)
	evalCases(t, e, nil, []evalCase{
		{"join", `require('path').join('/a/b', '../c', './d.js')`, "/a/c/d.js"},
		{"join empty", `require('path').join('', '')`, "."},
		{"resolve", `require('path').resolve('a', '/b', 'c/..', 'd')`, "/b/d"},
		{"resolve relative", `require('path').resolve('x')`, "/x"},
		{"normalize", `require('path').normalize('a//b/../c/')`, "a/c/"},
		{"dirname", `require('path').dirname('/a/b/c.txt') + ' ' + require('path').dirname('c.txt') + ' ' + require('path').dirname('/c')`, "/a/b . /"},
		{"basename", `require('path').basename('/a/b/c.txt', '.txt') + ' ' + require('path').basename('/a/b/')`, "c b"},
		{"extname", `[require('path').extname('a.tar.gz'), require('path').extname('.profile'), require('path').extname('a.')].join('|')`, ".gz||."},
		{"relative", `require('path').relative('/a/b/c', '/a/d')`, "../../d"},
		{"parse", `JSON.stringify(require('path').parse('/home/u/f.txt'))`, `{"root":"/","dir":"/home/u","base":"f.txt","ext":".txt","name":"f"}`},
		{"format", `require('path').format({ dir: '/x', name: 'f', ext: '.js' })`, "/x/f.js"},
		{"posix", `require('path').posix === require('path') && require('path').sep === '/'`, "true"},
		{"isAbsolute", `require('path').isAbsolute('/a') + ' ' + require('path').isAbsolute('a')`, "true false"},
	})
}

func TestUtil(t *testing.T) {
	e := enginetest.New(t)
	evalCases(t, e, nil, []evalCase{
		{"format", `require('util').format('%s has %d items: %j', 'cart', 3, { a: 1 })`, `cart has 3 items: {"a":1}`},
		{"promisify", `require('util').promisify((x, cb) => setTimeout(() => cb(null, x * 2), 1))(21)`, "42"},
		{"callbackify", `new Promise((resolve) => require('util').callbackify(async (x) => x + 1)(1, (err, v) => resolve(err + ' ' + v)))`, "null 2"},
		{"callbackify rejection", `new Promise((resolve) => require('util').callbackify(async () => { throw new Error('no') })((err) => resolve(err.message)))`, "no"},
		{"deprecate", `require('util').deprecate((a) => a * 2, 'old')(4)`, "8"},
		{"types", `[require('util').types.isDate(new Date()), require('util').types.isPromise(Promise.resolve()), require('util').types.isRegExp('x')].join()`, "true,true,false"},
		{"TextEncoder", `require('util').TextEncoder === TextEncoder && new (require('util').TextDecoder)().decode(new TextEncoder().encode('ok'))`, "ok"},
		{"legacy predicates", `[require('util').isString('a'), require('util').isObject(null), require('util').isArray([])].join()`, "true,false,true"},
	})
}

func TestEncodingGlobalsInHooks(t *testing.T) {
	e := enginetest.New(t)
	evalCases(t, e, nil, []evalCase{
		{"Basic credentials with btoa", `'Basic ' + btoa('client:secret')`, "Basic Y2xpZW50OnNlY3JldA=="},
		{"JWT payload with atob", `JSON.parse(atob('eyJzdWIiOiJhdXRoMHwxMjMiLCJuYW1lIjoiQWRhIn0'.replace(/-/g, '+').replace(/_/g, '/'))).sub`, "auth0|123"},
		{"TextEncoder", `new TextEncoder().encode('zoë').length`, "4"},
		{"Buffer.byteLength", `Buffer.byteLength(JSON.stringify({ name: 'Zoë' }))`, "15"},
	})
}
