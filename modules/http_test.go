package modules_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/hookengine/hookengine/enginetest"
)

func TestHTTP(t *testing.T) {
	srv, _ := echoServer(t)
	e := enginetest.New(t, allowLocal)
	secrets := map[string]string{"API": srv.URL}
	// collect reads a response into "status|body".
	collect := `(res) => { let b = ''; res.setEncoding('utf8'); res.on('data', (c) => { b += c; }); res.on('end', () => resolve(res.statusCode + '|' + b)); }`
	evalCases(t, e, secrets, []evalCase{
		{"get with a URL string", `new Promise((resolve) => require('http').get(secrets.API + '/g?x=1', ` + collect + `))`,
			`200|{"method":"GET","path":"/g","query":"x=1","type":"","auth":"","accept":"","custom":"","body":""}`},
		{"get with a URL object and options", `new Promise((resolve) => require('http').get(new URL(secrets.API + '/u'), { headers: { 'X-Custom': 'o' } }, (res) => { let b = ''; res.on('data', (c) => { b += c; }); res.on('end', () => resolve(JSON.parse(b).custom)); }))`,
			"o"},
		{"request with options", `new Promise((resolve) => { const u = new URL(secrets.API); const req = require('http').request({ host: u.hostname, port: u.port, path: '/p', method: 'post', auth: 'a:b', headers: { 'Content-Type': 'text/plain' } }, (res) => { let b = ''; res.on('data', (c) => { b += c; }); res.on('end', () => { const d = JSON.parse(b); resolve([d.method, d.auth, d.type, d.body].join(' ')); }); }); req.write('one '); req.write(Buffer.from('two ')); req.end('three'); })`,
			"POST Basic YTpi text/plain one two three"},
		{"Buffer chunks without setEncoding", `new Promise((resolve) => require('http').get(secrets.API + '/text', (res) => res.on('data', (c) => resolve(Buffer.isBuffer(c) + ' ' + c.toString()))))`,
			"true plain text"},
		{"response fields", `new Promise((resolve) => require('http').get(secrets.API + '/cookies', (res) => { resolve([res.statusCode, res.statusMessage, res.headers['set-cookie'].join(';'), res.httpVersion].join('|')); res.resume(); }))`,
			"204|No Content|a=1;b=2|1.1"},
		{"resume dumps and ends", `new Promise((resolve) => require('http').get(secrets.API + '/r', (res) => { res.on('end', () => resolve('ended ' + res.complete)); res.resume(); }))`,
			"ended true"},
		{"pipe", `new Promise((resolve) => require('http').get(secrets.API + '/text', (res) => { const parts = []; const { Writable } = require('stream'); res.pipe(new Writable({ write: (c, e, done) => { parts.push(c.toString()); done(); }, final: (done) => { resolve(parts.join('')); done(); } })); }))`,
			"plain text"},
		{"pause and resume", `new Promise((resolve) => require('http').get(secrets.API + '/text', (res) => { let b = ''; res.on('data', (c) => { b += c; }); res.pause(); res.on('end', () => resolve(b)); setTimeout(() => res.resume(), 10); }))`,
			"plain text"},
		{"response event", `new Promise((resolve) => { const req = require('http').request(secrets.API + '/ev'); req.on('response', (res) => { resolve(res.statusCode); res.resume(); }); req.end(); })`,
			"200"},
		{"error event", `new Promise((resolve) => { const req = require('http').get('http://169.254.169.254/latest/meta-data/', () => resolve('answered')); req.on('error', (err) => resolve(err.code + ' ' + /link-local/.test(err.message))); })`,
			"ERR_BLOCKED_ADDRESS true"},
		{"timeout event", `new Promise((resolve) => { const req = require('http').get(secrets.API + '/slow', () => resolve('answered')); req.setTimeout(20, () => { req.destroy(new Error('gave up')); }); req.on('error', (err) => resolve(err.message)); })`,
			"gave up"},
		{"abort", `new Promise((resolve) => { const req = require('http').get(secrets.API + '/slow', () => resolve('answered')); req.on('abort', () => resolve('aborted ' + req.aborted)); setTimeout(() => req.abort(), 5); })`,
			"aborted true"},
		{"headers", `(() => { const req = require('http').request(secrets.API + '/h'); req.setHeader('X-A', '1'); req.setHeader('x-b', ['2', '3']); const names = req.getHeaderNames().join(); req.removeHeader('x-a'); const r = names + ' ' + req.hasHeader('X-A') + ' ' + req.getHeader('X-B'); req.destroy(); return r; })()`,
			"x-a,x-b false 2,3"},
		{"https refuses http URLs", `(() => { try { require('https').get('http://example.com/') } catch (e) { return e.code + ': ' + e.message } })()`,
			`ERR_INVALID_PROTOCOL: Protocol "http:" not supported. Expected "https:"`},
		{"unescaped path", `(() => { try { require('http').request({ path: '/a b' }) } catch (e) { return e.code } })()`, "ERR_UNESCAPED_CHARACTERS"},
		{"servers are not available", `(() => { try { require('http').createServer() } catch (e) { return e.code } })()`, "ERR_FEATURE_UNAVAILABLE_ON_PLATFORM"},
		{"STATUS_CODES and METHODS", `require('http').STATUS_CODES[429] + ' ' + require('https').METHODS.includes('PATCH')`, "Too Many Requests true"},
		{"Agent", `new (require('https').Agent)({ keepAlive: true }).keepAlive`, "true"},
		{"write after end", `new Promise((resolve) => { const req = require('http').request(secrets.API + '/w', (res) => res.resume()); req.end(); req.on('error', (e) => resolve(e.code)); req.write('x'); })`,
			"ERR_STREAM_WRITE_AFTER_END"},
	})
}

func TestHTTPSGet(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "secure "+r.URL.Path)
	}))
	defer srv.Close()
	e := enginetest.New(t, allowTLS(srv))
	evalCases(t, e, map[string]string{"API": srv.URL}, []evalCase{
		{"https.get", `new Promise((resolve, reject) => require('https').get(secrets.API + '/s', (res) => { let b = ''; res.on('data', (c) => { b += c; }); res.on('end', () => resolve(b)); }).on('error', reject))`,
			"secure /s"},
		{"node: prefix", `require('node:https') === require('https') && require('https') !== require('http')`, "true"},
	})
}
