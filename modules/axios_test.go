package modules_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/hookengine/hookengine/enginetest"
)

// echoServer answers every request with what it received, as JSON, and
// serves a few special paths.
func echoServer(t *testing.T) (*httptest.Server, *recorder) {
	t.Helper()
	rec := newRecorder()
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		rec.add(r, body)
		switch r.URL.Path {
		case "/slow":
			select {
			case <-r.Context().Done():
			case <-release:
			}
			return
		case "/text":
			w.Header().Set("Content-Type", "text/plain")
			io.WriteString(w, "plain text")
			return
		case "/bad-json":
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, "{not json")
			return
		case "/cookies":
			w.Header().Add("Set-Cookie", "a=1")
			w.Header().Add("Set-Cookie", "b=2")
			w.WriteHeader(http.StatusNoContent)
			return
		case "/redirect":
			http.Redirect(w, r, "/landed", http.StatusFound)
			return
		}
		status := http.StatusOK
		if s := r.URL.Query().Get("status"); s != "" {
			fmt.Sscan(s, &status)
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Request-Id", "req-1")
		w.WriteHeader(status)
		fmt.Fprintf(w, `{"method":%q,"path":%q,"query":%q,"type":%q,"auth":%q,"accept":%q,"custom":%q,"body":%q}`,
			r.Method, r.URL.Path, r.URL.RawQuery, r.Header.Get("Content-Type"), r.Header.Get("Authorization"),
			r.Header.Get("Accept"), r.Header.Get("X-Custom"), body)
	}))
	t.Cleanup(func() {
		close(release)
		srv.Close()
	})
	return srv, rec
}

func TestAxios(t *testing.T) {
	srv, _ := echoServer(t)
	e := enginetest.New(t, allowLocal)
	secrets := map[string]string{"API": srv.URL}
	evalCases(t, e, secrets, []evalCase{
		{"callable with a config", `require('axios')({ url: secrets.API + '/x', method: 'PATCH', data: { a: 1 } }).then((r) => r.data.method + ' ' + r.data.type + ' ' + r.data.body)`,
			`PATCH application/json {"a":1}`},
		{"callable with a URL", `require('axios')(secrets.API + '/y').then((r) => r.status + ' ' + r.statusText + ' ' + r.data.path)`, "200 OK /y"},
		{"default export", `require('axios').default === require('axios')`, "true"},
		{"request", `require('axios').request({ url: secrets.API + '/r' }).then((r) => r.data.method)`, "GET"},
		{"delete", `require('axios').delete(secrets.API + '/d').then((r) => r.data.method)`, "DELETE"},
		{"head", `require('axios').head(secrets.API + '/h').then((r) => r.status + ' ' + JSON.stringify(r.data))`, `200 ""`},
		{"options", `require('axios').options(secrets.API + '/o').then((r) => r.data.method)`, "OPTIONS"},
		{"put with a string is form encoded", `require('axios').put(secrets.API + '/p', 'a=1&b=2').then((r) => r.data.type + ' ' + r.data.body)`,
			"application/x-www-form-urlencoded a=1&b=2"},
		{"URLSearchParams data", `require('axios').post(secrets.API + '/p', new URLSearchParams({ a: 'x y' })).then((r) => r.data.type + ' ' + r.data.body)`,
			"application/x-www-form-urlencoded;charset=utf-8 a=x+y"},
		{"Buffer data", `require('axios').post(secrets.API + '/p', Buffer.from('raw'), { headers: { 'Content-Type': 'application/octet-stream' } }).then((r) => r.data.type + ' ' + r.data.body)`,
			"application/octet-stream raw"},
		{"explicit content type wins", `require('axios').post(secrets.API + '/p', { a: 1 }, { headers: { 'content-type': 'application/vnd.api+json' } }).then((r) => r.data.type)`,
			"application/vnd.api+json"},
		{"params", `require('axios').get(secrets.API + '/q?z=1', { params: { a: 'b c', list: [1, 2], when: new Date(0), obj: { k: 'v' }, skip: null, at: 'x@y.z' } }).then((r) => r.data.query)`,
			`z=1&a=b+c&list[]=1&list[]=2&when=1970-01-01T00:00:00.000Z&obj=%7B%22k%22:%22v%22%7D&at=x%40y.z`},
		{"URLSearchParams params", `require('axios').get(secrets.API + '/q', { params: new URLSearchParams([['a', '1'], ['a', '2']]) }).then((r) => r.data.query)`, "a=1&a=2"},
		{"paramsSerializer", `require('axios').get(secrets.API + '/q', { params: { a: 1 }, paramsSerializer: (p) => 'custom=' + p.a }).then((r) => r.data.query)`, "custom=1"},
		{"headers and auth", `require('axios').get(secrets.API + '/a', { headers: { 'X-Custom': 'yes' }, auth: { username: 'u', password: 'p' } }).then((r) => r.data.custom + ' ' + r.data.auth + ' ' + r.data.accept)`,
			"yes Basic dTpw application/json, text/plain, */*"},
		{"response headers", `require('axios').get(secrets.API + '/h').then((r) => r.headers['x-request-id'] + ' ' + r.headers['content-type'])`, "req-1 application/json"},
		{"set-cookie is an array", `require('axios').get(secrets.API + '/cookies').then((r) => JSON.stringify(r.headers['set-cookie']) + ' ' + r.status)`, `["a=1","b=2"] 204`},
		{"text stays text", `require('axios').get(secrets.API + '/text').then((r) => typeof r.data + ' ' + r.data)`, "string plain text"},
		{"bad JSON stays text", `require('axios').get(secrets.API + '/bad-json').then((r) => r.data)`, "{not json"},
		{"responseType json is strict", `require('axios').get(secrets.API + '/bad-json', { responseType: 'json', transitional: { silentJSONParsing: false } }).catch((e) => e.code)`,
			"ERR_BAD_RESPONSE"},
		{"arraybuffer is a Buffer", `require('axios').get(secrets.API + '/text', { responseType: 'arraybuffer' }).then((r) => Buffer.isBuffer(r.data) + ' ' + r.data.toString())`,
			"true plain text"},
		{"responseType text", `require('axios').get(secrets.API + '/x', { responseType: 'text' }).then((r) => typeof r.data)`, "string"},
		{"redirects are followed", `require('axios').get(secrets.API + '/redirect').then((r) => r.data.path)`, "/landed"},
		{"baseURL", `require('axios').create({ baseURL: secrets.API + '/api/v2/' }).get('/users').then((r) => r.data.path)`, "/api/v2/users"},
		{"absolute URL beats baseURL", `require('axios').create({ baseURL: 'http://unused.example' }).get(secrets.API + '/abs').then((r) => r.data.path)`, "/abs"},
		{"instance defaults", `(() => { const api = require('axios').create({ headers: { 'X-Custom': 'inst' } }); api.defaults.headers.common.Authorization = 'Bearer t'; return api.get(secrets.API + '/i').then((r) => r.data.custom + ' ' + r.data.auth) })()`,
			"inst Bearer t"},
		{"instances do not share defaults", `(() => { const a = require('axios'); a.create().defaults.headers.common['X-Custom'] = 'leak'; return a.get(secrets.API + '/i').then((r) => JSON.stringify(r.data.custom)) })()`,
			`""`},
		{"validateStatus", `require('axios').get(secrets.API + '/v?status=404', { validateStatus: (s) => s < 500 }).then((r) => r.status)`, "404"},
		{"validateStatus null", `require('axios').get(secrets.API + '/v?status=500', { validateStatus: null }).then((r) => r.status)`, "500"},
		{"5xx code", `require('axios').get(secrets.API + '/v?status=502').catch((e) => e.code + ' ' + e.response.status + ' ' + e.status)`, "ERR_BAD_RESPONSE 502 502"},
		{"timeout", `require('axios').get(secrets.API + '/slow', { timeout: 30 }).catch((e) => e.code + ' ' + e.message + ' ' + e.isAxiosError + ' ' + Boolean(e.response))`,
			"ECONNABORTED timeout of 30ms exceeded true false"},
		{"timeout clarified", `require('axios').get(secrets.API + '/slow', { timeout: 30, transitional: { clarifyTimeoutError: true }, timeoutErrorMessage: 'too slow' }).catch((e) => e.code + ' ' + e.message)`,
			"ETIMEDOUT too slow"},
		{"AbortController", `(() => { const c = new AbortController(); const p = require('axios').get(secrets.API + '/slow', { signal: c.signal }).catch((e) => e.name + ' ' + e.code + ' ' + require('axios').isCancel(e)); setTimeout(() => c.abort(), 5); return p })()`,
			"CanceledError ERR_CANCELED true"},
		{"CancelToken", `(() => { const axios = require('axios'); const s = axios.CancelToken.source(); const p = axios.get(secrets.API + '/slow', { cancelToken: s.token }).catch((e) => e.message + ' ' + axios.isCancel(e)); setTimeout(() => s.cancel('user left'), 5); return p })()`,
			"user left true"},
		{"interceptors", `(() => { const api = require('axios').create(); api.interceptors.request.use((c) => { c.headers['X-Custom'] = 'intercepted'; return c; }); const id = api.interceptors.response.use((r) => { r.data.extra = 1; return r; }); api.interceptors.response.use((r) => r.data); return api.get(secrets.API + '/ic').then((d) => d.custom + ' ' + d.extra) })()`,
			"intercepted 1"},
		{"eject", `(() => { const api = require('axios').create(); const id = api.interceptors.response.use(() => 'replaced'); api.interceptors.response.eject(id); return api.get(secrets.API + '/e').then((r) => r.status) })()`,
			"200"},
		{"response error interceptor", `(() => { const api = require('axios').create(); api.interceptors.response.use(null, (e) => ({ recovered: e.response.status })); return api.get(secrets.API + '/x?status=418').then((r) => r.recovered) })()`,
			"418"},
		{"transformResponse", `require('axios').get(secrets.API + '/t', { transformResponse: [(d) => 'len ' + d.length] }).then((r) => r.data.slice(0, 4))`, "len "},
		{"network error", `require('axios').get('http://10.0.0.1/x').catch((e) => e.isAxiosError + ' ' + e.code + ' ' + Boolean(e.request) + ' ' + Boolean(e.response) + ' ' + e.cause.name)`,
			"true ERR_BLOCKED_ADDRESS true false TypeError"},
		{"invalid URL", `require('axios').get('not a url').catch((e) => e.code)`, "ERR_INVALID_URL"},
		{"getUri", `require('axios').getUri({ baseURL: 'https://api.example.com/v1', url: 'users', params: { a: 1 } })`, "https://api.example.com/v1/users?a=1"},
		{"all and spread", `require('axios').all([Promise.resolve(1), Promise.resolve(2)]).then(require('axios').spread((a, b) => a + b))`, "3"},
		{"errors serialize", `require('axios').get(secrets.API + '/x?status=400').catch((e) => JSON.stringify(e.toJSON()).length > 10)`, "true"},
	})
}
