package mgmtapi_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/hookengine/hookengine/engine"
	"github.com/hookengine/hookengine/mgmtapi"
	"github.com/hookengine/hookengine/runner"
	"github.com/hookengine/hookengine/store"
	"github.com/hookengine/hookengine/triggers"
)

var fuzzMethods = []string{"GET", "POST", "PATCH", "DELETE", "PUT", "HEAD", "OPTIONS"}

// FuzzHandler sends arbitrary requests to the handler: whatever the method,
// path, query, body and token, the answer is never a 500 and never a
// panic, and every answer with a body is JSON. {A} in the target stands for
// the id of a stored hook. The seed corpus is in testdata/fuzz/FuzzHandler.
//
//	go test -fuzz FuzzHandler ./mgmtapi
func FuzzHandler(f *testing.F) {
	f.Add(uint8(1), "/api/v2/hooks", `{"name":"my-hook","script":"module.exports = function (u, c, cb) { cb(); };","triggerId":"pre-user-registration"}`, uint8(1))
	f.Add(uint8(2), "/api/v2/hooks/{A}", `{"enabled":true}`, uint8(1))
	f.Add(uint8(0), "/api/v2/hooks?page=0&per_page=5&include_totals=true&fields=id", "", uint8(2))
	e, err := engine.New(engine.WithLimits(engine.Limits{WallTime: 200 * time.Millisecond, CPUTime: 100 * time.Millisecond}))
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { e.Close() })
	auth, err := mgmtapi.NewStaticTokens(
		mgmtapi.StaticToken{Name: "admin", Token: adminToken},
		mgmtapi.StaticToken{Name: "reader", Token: readToken, Scopes: []string{mgmtapi.ScopeRead}},
	)
	if err != nil {
		f.Fatal(err)
	}
	tokens := []string{"", adminToken, readToken, "garbage", "a.b.c"}

	f.Fuzz(func(t *testing.T, method uint8, target, body string, token uint8) {
		st := store.NewMemory()
		h, err := st.CreateHook(context.Background(), &store.Hook{Name: "seeded", TriggerID: triggers.PreUserRegistration,
			Script: "module.exports = function (user, context, cb) { cb(null, { user: user }); };", Enabled: true,
			Secrets: map[string]string{"K": "secret-value"}})
		if err != nil {
			t.Fatal(err)
		}
		handler := mgmtapi.NewHandler(st, mgmtapi.WithAuthenticator(auth), mgmtapi.WithRunner(runner.New(st, e)), mgmtapi.WithCompiler(e))
		u, err := url.ParseRequestURI(strings.ReplaceAll(target, "{A}", h.ID))
		if err != nil {
			return // not a request target a server would deliver
		}
		req := httptest.NewRequest("GET", "/", strings.NewReader(body))
		req.Method = fuzzMethods[int(method)%len(fuzzMethods)]
		req.URL = u
		req.RequestURI = u.RequestURI()
		req.ContentLength = int64(len(body))
		if tok := tokens[int(token)%len(tokens)]; tok != "" {
			req.Header.Set("Authorization", "Bearer "+tok)
		}
		rec := httptest.NewRecorder()
		handler.ServeHTTP(rec, req)
		if rec.Code >= 500 && rec.Code != http.StatusServiceUnavailable || rec.Code == 0 {
			t.Fatalf("%s %s %q: %d %s", req.Method, target, body, rec.Code, rec.Body)
		}
		if rec.Code == http.StatusNoContent || req.Method == http.MethodHead {
			return
		}
		if ct := rec.Header().Get("Content-Type"); ct != "application/json; charset=utf-8" {
			t.Fatalf("%s %s: Content-Type %q", req.Method, target, ct)
		}
		if !json.Valid(rec.Body.Bytes()) {
			t.Fatalf("%s %s: the body is not JSON: %s", req.Method, target, rec.Body)
		}
		if strings.Contains(rec.Body.String(), "secret-value") {
			t.Fatalf("%s %s: the answer shows a secret value: %s", req.Method, target, rec.Body)
		}
	})
}
