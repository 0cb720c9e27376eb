package modules_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/hookengine/hookengine/enginetest"
)

// fakeAuth0 is a small Authentication and Management API.
func fakeAuth0(t *testing.T) (*httptest.Server, *atomic.Int64, *recorder) {
	t.Helper()
	var tokens atomic.Int64
	rec := newRecorder()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		rec.add(r, body)
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Path == "/oauth/token" {
			var req map[string]string
			_ = json.Unmarshal(body, &req)
			if req["client_secret"] != "csecret" {
				w.WriteHeader(http.StatusUnauthorized)
				io.WriteString(w, `{"error":"access_denied","error_description":"Unauthorized"}`)
				return
			}
			tokens.Add(1)
			fmt.Fprintf(w, `{"access_token":"tok-%d","expires_in":86400,"token_type":"Bearer","scope":%q}`, tokens.Load(), req["scope"])
			return
		}
		if r.URL.Path == "/userinfo" {
			io.WriteString(w, `{"sub":"auth0|1","email":"ada@example.com"}`)
			return
		}
		if !strings.HasPrefix(r.Header.Get("Authorization"), "Bearer ") {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		switch {
		case r.Method == "GET" && r.URL.Path == "/api/v2/users":
			fmt.Fprintf(w, `[{"user_id":"auth0|1","q":%q}]`, r.URL.RawQuery)
		case r.Method == "GET" && r.URL.Path == "/api/v2/users/auth0|missing":
			w.WriteHeader(http.StatusNotFound)
			io.WriteString(w, `{"statusCode":404,"error":"Not Found","message":"The user does not exist.","errorCode":"inexistent_user"}`)
		case r.Method == "GET" && strings.HasPrefix(r.URL.Path, "/api/v2/users/"):
			fmt.Fprintf(w, `{"user_id":%q}`, strings.TrimPrefix(r.URL.Path, "/api/v2/users/"))
		case r.Method == "PATCH" || r.Method == "POST":
			fmt.Fprintf(w, `{"method":%q,"path":%q,"body":%s}`, r.Method, r.URL.Path, body)
		case r.Method == "DELETE":
			w.WriteHeader(http.StatusNoContent)
		default:
			w.WriteHeader(http.StatusNotFound)
		}
	}))
	t.Cleanup(srv.Close)
	return srv, &tokens, rec
}

func TestAuth0(t *testing.T) {
	srv, tokens, _ := fakeAuth0(t)
	e := enginetest.New(t, allowLocal)
	mgmt := `new (require('auth0').ManagementClient)({ domain: secrets.DOMAIN, clientId: 'cid', clientSecret: 'csecret' })`
	evalCases(t, e, map[string]string{"DOMAIN": srv.URL}, []evalCase{
		{"getUsers", mgmt + `.getUsers({ q: 'email:"a@b.c"', search_engine: 'v3', per_page: 5 }).then((u) => u[0].q)`,
			"q=email%3A%22a%40b.c%22&search_engine=v3&per_page=5"},
		{"getUser", mgmt + `.getUser({ id: 'auth0|7' }).then((u) => u.user_id)`, "auth0|7"},
		{"getUser callback", `new Promise((resolve) => ` + mgmt + `.getUser({ id: 'auth0|8' }, (err, u) => resolve(err + ' ' + u.user_id)))`, "null auth0|8"},
		{"API errors", mgmt + `.getUser({ id: 'auth0|missing' }).catch((e) => [e.name, e.message, e.statusCode, e.errorCode, e.requestInfo.method].join('|'))`,
			"Not Found|The user does not exist.|404|inexistent_user|get"},
		{"API errors to the callback", `new Promise((resolve) => ` + mgmt + `.getUser({ id: 'auth0|missing' }, (err, u) => resolve(err.statusCode + ' ' + u)))`, "404 undefined"},
		{"updateUserMetadata", mgmt + `.updateUserMetadata({ id: 'auth0|1' }, { theme: 'dark' }).then((r) => r.method + ' ' + r.path + ' ' + JSON.stringify(r.body))`,
			`PATCH /api/v2/users/auth0|1 {"user_metadata":{"theme":"dark"}}`},
		{"updateAppMetadata", mgmt + `.updateAppMetadata({ id: 'auth0|1' }, { plan: 'pro' }).then((r) => JSON.stringify(r.body))`, `{"app_metadata":{"plan":"pro"}}`},
		{"updateUser", mgmt + `.updateUser({ id: 'auth0|1' }, { blocked: true }).then((r) => JSON.stringify(r.body))`, `{"blocked":true}`},
		{"createUser", mgmt + `.createUser({ connection: 'db', email: 'n@example.com' }).then((r) => r.method + ' ' + r.body.email)`, "POST n@example.com"},
		{"deleteUser", mgmt + `.deleteUser({ id: 'auth0|1' }).then((r) => 'deleted ' + r)`, "deleted undefined"},
		{"assignRolestoUser", mgmt + `.assignRolestoUser({ id: 'auth0|1' }, { roles: ['rol_1'] }).then((r) => r.path)`, "/api/v2/users/auth0|1/roles"},
		{"users manager", mgmt + `.users.get({ id: 'auth0|9' }).then((u) => u.user_id)`, "auth0|9"},
		{"a missing id", mgmt + `.getUser({}).catch((e) => e.name + ': ' + e.message)`, "ArgumentError: The user_id cannot be null or undefined"},
		{"a static token", `new (require('auth0').ManagementClient)({ domain: secrets.DOMAIN, token: 'static' }).getAccessToken()`, "static"},
		{"the token is cached", `(async () => { const m = ` + mgmt + `; await m.getUser({ id: 'a' }); await m.getUser({ id: 'b' }); const [x, y] = await Promise.all([m.getAccessToken(), m.getAccessToken()]); return x === y; })()`,
			"true"},
		{"bad credentials", `new (require('auth0').ManagementClient)({ domain: secrets.DOMAIN, clientId: 'cid', clientSecret: 'wrong' }).getUsers().catch((e) => e.name + ' ' + e.statusCode + ' ' + e.message)`,
			"access_denied 401 Unauthorized"},
		{"options are checked", `(() => { try { new (require('auth0').ManagementClient)({ domain: secrets.DOMAIN }) } catch (e) { return e.name } })()`, "ArgumentError"},
		{"clientCredentialsGrant", `new (require('auth0').AuthenticationClient)({ domain: secrets.DOMAIN, clientId: 'cid', clientSecret: 'csecret' }).clientCredentialsGrant({ audience: 'https://api/', scope: 'read:x' }).then((t) => t.token_type + ' ' + t.scope)`,
			"Bearer read:x"},
		{"clientCredentialsGrant callback", `new Promise((resolve) => new (require('auth0').AuthenticationClient)({ domain: secrets.DOMAIN, clientId: 'cid', clientSecret: 'csecret' }).oauth.clientCredentialsGrant({ audience: 'a' }, (err, t) => resolve(err + ' ' + t.expires_in)))`,
			"null 86400"},
		{"clientCredentialsGrant needs an audience", `new (require('auth0').AuthenticationClient)({ domain: secrets.DOMAIN, clientId: 'c', clientSecret: 's' }).clientCredentialsGrant({}).catch((e) => e.message)`,
			"Missing audience parameter"},
		{"getProfile", `new (require('auth0').AuthenticationClient)({ domain: secrets.DOMAIN }).getProfile('at').then((p) => p.email)`, "ada@example.com"},
	})
	if n := tokens.Load(); n < 10 {
		t.Errorf("%d tokens issued: the client credentials flow did not run", n)
	}
}

func TestAuth0DomainIsAHost(t *testing.T) {
	e := enginetest.New(t)
	// A plain host name means https://host; the guard refuses what is not
	// public, so this never leaves the machine.
	evalCases(t, e, nil, []evalCase{
		{"https by default", `new (require('auth0').ManagementClient)({ domain: 'tenant.example.com', token: 't' }).baseUrl`, "https://tenant.example.com"},
		{"a URL as domain", `new (require('auth0').AuthenticationClient)({ domain: 'http://127.0.0.1:9/' }).baseUrl`, "http://127.0.0.1:9"},
	})
}
