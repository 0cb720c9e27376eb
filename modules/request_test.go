package modules_test

import (
	"testing"

	"github.com/hookengine/hookengine/enginetest"
)

func TestRequest(t *testing.T) {
	srv, _ := echoServer(t)
	e := enginetest.New(t, allowLocal)
	secrets := map[string]string{"API": srv.URL}
	// call wraps a request call in a promise of "err|status|body".
	call := func(js string) string {
		return `new Promise((resolve) => ` + js + `)`
	}
	cb := `(err, res, body) => resolve(err ? 'error ' + err.code + ' ' + err.message : res.statusCode + ' ' + (typeof body === 'string' ? body : JSON.stringify(body)))`
	evalCases(t, e, secrets, []evalCase{
		{"uri and callback", call(`require('request')(secrets.API + '/a', ` + cb + `)`),
			`200 {"method":"GET","path":"/a","query":"","type":"","auth":"","accept":"","custom":"","body":""}`},
		{"options object", call(`require('request')({ url: secrets.API + '/b', method: 'DELETE', headers: { 'X-Custom': 'h' } }, (err, res, body) => resolve(JSON.parse(body).method + ' ' + JSON.parse(body).custom))`),
			"DELETE h"},
		{"uri, options, callback", call(`require('request')(secrets.API + '/c', { method: 'PUT', body: 'raw' }, (err, res, body) => resolve(JSON.parse(body).method + ' ' + JSON.parse(body).body + ' ' + JSON.stringify(JSON.parse(body).type)))`),
			`PUT raw ""`},
		{"json true parses the answer", call(`require('request').get({ url: secrets.API + '/j', json: true }, (err, res, body) => resolve(typeof body + ' ' + body.accept))`),
			"object application/json"},
		{"json object is the body", call(`require('request').post({ url: secrets.API + '/j', json: { a: [1] } }, (err, res, body) => resolve(body.type + ' ' + body.body))`),
			`application/json {"a":[1]}`},
		{"json with a string body", call(`require('request').post({ url: secrets.API + '/j', json: true, body: 'hi' }, (err, res, body) => resolve(body.body))`),
			`"hi"`},
		{"form object", call(`require('request').post({ url: secrets.API + '/f', form: { a: 'x y', list: [1, 2], nested: { k: 'v' } } }, (err, res, body) => resolve(JSON.parse(body).type + ' ' + JSON.parse(body).body))`),
			"application/x-www-form-urlencoded a=x%20y&list%5B0%5D=1&list%5B1%5D=2&nested%5Bk%5D=v"},
		{"form string", call(`require('request').post({ url: secrets.API + '/f', form: 'a=1' }, (err, res, body) => resolve(JSON.parse(body).body))`), "a=1"},
		{"qs merges with the query", call(`require('request')({ url: secrets.API + '/q?x=1', qs: { y: 'a b' } }, (err, res, body) => resolve(JSON.parse(body).query))`),
			"x=1&y=a%20b"},
		{"useQuerystring", call(`require('request')({ url: secrets.API + '/q', qs: { a: [1, 2] }, useQuerystring: true }, (err, res, body) => resolve(JSON.parse(body).query))`),
			"a=1&a=2"},
		{"basic auth", call(`require('request')({ url: secrets.API + '/ba', auth: { user: 'u', pass: 'p' } }, (err, res, body) => resolve(JSON.parse(body).auth))`),
			"Basic dTpw"},
		{"bearer function", call(`require('request')({ url: secrets.API + '/be', auth: { bearer: () => 'tok' } }, (err, res, body) => resolve(JSON.parse(body).auth))`),
			"Bearer tok"},
		{"baseUrl", call(`require('request').defaults({ baseUrl: secrets.API + '/api/' })('/users', (err, res, body) => resolve(JSON.parse(body).path))`),
			"/api/users"},
		{"defaults merge headers", call(`require('request').defaults({ headers: { 'X-Custom': 'd' }, json: true }).post({ url: secrets.API + '/dm', body: { a: 1 } }, (err, res, body) => resolve(body.custom + ' ' + body.method + ' ' + body.body))`),
			`d POST {"a":1}`},
		{"del", call(`require('request').del(secrets.API + '/x', (err, res, body) => resolve(JSON.parse(body).method))`), "DELETE"},
		{"patch", call(`require('request').patch(secrets.API + '/x', { body: '{}' }, (err, res, body) => resolve(JSON.parse(body).method))`), "PATCH"},
		{"error statuses are not errors", call(`require('request')(secrets.API + '/x?status=500', (err, res) => resolve(err + ' ' + res.statusCode))`),
			"null 500"},
		{"response fields", call(`require('request')(secrets.API + '/cookies', (err, res, body) => resolve([res.statusCode, res.statusMessage, res.headers['set-cookie'].join(';'), res.request.method, res.request.uri.pathname, JSON.stringify(res.body)].join('|')))`),
			`204|No Content|a=1;b=2|GET|/cookies|""`},
		{"encoding null gives a Buffer", call(`require('request')({ url: secrets.API + '/text', encoding: null }, (err, res, body) => resolve(Buffer.isBuffer(body) + ' ' + body.toString()))`),
			"true plain text"},
		{"timeout", call(`require('request')({ url: secrets.API + '/slow', timeout: 20 }, (err) => resolve(err.code + ' ' + err.connect))`),
			"ETIMEDOUT false"},
		{"network error", call(`require('request')('http://192.168.0.1/', (err, res) => resolve(err.code + ' ' + (res === undefined)))`),
			"ERR_BLOCKED_ADDRESS true"},
		{"invalid URI", call(`require('request')('nope', (err) => resolve(err.message))`), `Invalid URI "nope"`},
		{"events", call(`(() => { const r = require('request')(secrets.API + '/ev'); const seen = []; r.on('response', (res) => seen.push('response ' + res.statusCode)); r.on('data', () => seen.push('data')); r.on('complete', () => resolve(seen.concat('complete').join(','))); })()`),
			"response 200,data,complete"},
		{"abort", call(`(() => { const r = require('request')(secrets.API + '/slow', () => resolve('called back')); r.on('abort', () => setTimeout(() => resolve('aborted'), 20)); setTimeout(() => r.abort(), 5); })()`),
			"aborted"},
	})
}
