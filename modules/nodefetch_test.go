package modules_test

import (
	"testing"

	"github.com/hookengine/hookengine/enginetest"
)

func TestNodeFetch(t *testing.T) {
	srv, _ := echoServer(t)
	e := enginetest.New(t, allowLocal)
	evalCases(t, e, map[string]string{"API": srv.URL}, []evalCase{
		{"default export", `require('node-fetch') === require('node-fetch').default && typeof require('node-fetch') === 'function'`, "true"},
		{"json", `require('node-fetch')(secrets.API + '/j', { method: 'POST', body: 'x' }).then((r) => r.json()).then((d) => d.method + ' ' + d.body)`, "POST x"},
		{"ok and status", `require('node-fetch')(secrets.API + '/x?status=404').then((r) => r.ok + ' ' + r.status)`, "false 404"},
		{"buffer()", `require('node-fetch')(secrets.API + '/text').then((r) => r.buffer()).then((b) => Buffer.isBuffer(b) + ' ' + b.toString())`, "true plain text"},
		{"headers.raw()", `require('node-fetch')(secrets.API + '/cookies').then((r) => JSON.stringify(r.headers.raw()['set-cookie']))`, `["a=1","b=2"]`},
		{"Headers class", `new (require('node-fetch').Headers)({ a: '1' }).get('A')`, "1"},
		{"URLSearchParams body", `require('node-fetch')(secrets.API + '/f', { method: 'POST', body: new URLSearchParams({ a: '1' }) }).then((r) => r.json()).then((d) => d.type + ' ' + d.body)`,
			"application/x-www-form-urlencoded;charset=UTF-8 a=1"},
		{"timeout", `require('node-fetch')(secrets.API + '/slow', { timeout: 20 }).catch((e) => e.name + ' ' + e.type + ' ' + (e instanceof require('node-fetch').FetchError))`,
			"FetchError request-timeout true"},
		{"abort", `(() => { const c = new AbortController(); const p = require('node-fetch')(secrets.API + '/slow', { signal: c.signal }).catch((e) => e.name + ' ' + e.type); setTimeout(() => c.abort(), 5); return p; })()`,
			"AbortError aborted"},
		{"system error", `require('node-fetch')('http://10.1.1.1/').catch((e) => e.name + ' ' + e.type + ' ' + e.code + ' ' + e.message.startsWith('request to http://10.1.1.1/ failed, reason: '))`,
			"FetchError system ERR_BLOCKED_ADDRESS true"},
		{"isRedirect", `require('node-fetch').isRedirect(301) + ' ' + require('node-fetch').isRedirect(200)`, "true false"},
	})
}
