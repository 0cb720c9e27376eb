package mgmtapi_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/hookengine/hookengine/engine"
	"github.com/hookengine/hookengine/mgmtapi"
	"github.com/hookengine/hookengine/runner"
	"github.com/hookengine/hookengine/store"
)

// The handler answers Auth0's requests with Auth0's shapes.
func ExampleNewHandler() {
	st := store.NewMemory()
	auth, err := mgmtapi.NewStaticTokens(mgmtapi.StaticToken{Name: "ci", Token: "s3cr3t-token"})
	if err != nil {
		panic(err)
	}
	srv := httptest.NewServer(mgmtapi.NewHandler(st, mgmtapi.WithAuthenticator(auth)))
	defer srv.Close()

	body := `{"name":"my-hook","script":"module.exports = function (user, context, cb) { cb(); };","triggerId":"pre-user-registration"}`
	for _, token := range []string{"", "s3cr3t-token"} {
		req, _ := http.NewRequest("POST", srv.URL+"/api/v2/hooks", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			panic(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		fmt.Println(resp.StatusCode, strings.Contains(string(b), `"name":"my-hook"`), strings.Contains(string(b), `"errorCode":"missing_authentication"`))
	}
	// Output:
	// 401 false true
	// 201 true false
}

// The client speaks to a hookengine server, or to Auth0.
func ExampleClient() {
	ctx := context.Background()
	e, _ := engine.New()
	defer e.Close()
	st := store.NewMemory()
	srv := httptest.NewServer(mgmtapi.NewHandler(st, mgmtapi.WithoutAuthentication(), mgmtapi.WithRunner(runner.New(st, e))))
	defer srv.Close()
	c, err := mgmtapi.NewClient(srv.URL, "token", srv.Client())
	if err != nil {
		panic(err)
	}
	on := true
	h, err := c.CreateHook(ctx, mgmtapi.CreateHookRequest{Name: "Scopes", TriggerID: "credentials-exchange", Enabled: &on,
		Script: "module.exports = function (client, scope, audience, context, cb) { cb(null, { scope: ['read:' + context.webtask.secrets.THING] }); };"})
	if err != nil {
		panic(err)
	}
	if err := c.AddSecrets(ctx, h.ID, map[string]string{"THING": "users"}); err != nil {
		panic(err)
	}
	secrets, _ := c.Secrets(ctx, h.ID)
	fmt.Println(h.Name, secrets)

	res, err := c.RunTrigger(ctx, "credentials-exchange", map[string]any{"client": map[string]any{}, "audience": "x", "context": map[string]any{}})
	if err != nil {
		panic(err)
	}
	fmt.Println(res.Status, string(res.Data))

	_, err = c.GetHook(ctx, "nope")
	var apiErr *mgmtapi.Error
	fmt.Println(errors.As(err, &apiErr), apiErr.StatusCode, apiErr.ErrorCode)
	// The run endpoint never shows a secret's value, even when the hook
	// answers with it.
	// Output:
	// scopes map[THING:_VALUE_NOT_SHOWN_]
	// success {"scope":["read:[REDACTED]"]}
	// true 404 HookDoesNotExist
}
