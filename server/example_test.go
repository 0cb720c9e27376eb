package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"

	"github.com/hookengine/hookengine/server"
	"github.com/hookengine/hookengine/store"
)

// Serve until the context is cancelled, then shut down gracefully.
func ExampleServer_Serve() {
	dir, err := os.MkdirTemp("", "hookengine")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	ctx, cancel := context.WithCancel(context.Background())
	cfg := server.Config{
		DataDir:    dir,
		Addr:       "127.0.0.1:0",
		SecretsKey: store.EncodeKey(store.GenerateKey()), // from a secret store in production
	}
	// With no tokens configured, the development token goes to io.Discard
	// here; hooks serve prints it.
	srv, err := server.New(ctx, cfg, nil, io.Discard)
	if err != nil {
		panic(err)
	}
	ln, err := srv.Listen()
	if err != nil {
		panic(err)
	}
	done := make(chan error)
	go func() { done <- srv.Serve(ctx, ln) }()

	resp, err := http.Get("http://" + ln.Addr().String() + "/api/v2/hooks")
	if err != nil {
		panic(err)
	}
	resp.Body.Close()
	fmt.Println(resp.StatusCode) // no token

	cancel()
	fmt.Println(<-done)
	http.DefaultClient.CloseIdleConnections()
	// Output:
	// 401
	// <nil>
}

// Issue a client-credentials token as Auth0's /oauth/token does, and
// accept it on the Management API.
func ExampleNewTokenIssuer() {
	dir, err := os.MkdirTemp("", "hookengine")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	iss, err := server.NewTokenIssuer(server.OAuthConfig{Clients: []server.OAuthClient{{
		ClientID: "deploy-cli",
		// printf %s "$SECRET" | sha256sum
		ClientSecretSHA256: "2bb80d537b1da3e38bd30361aa855686bde0eacd7162fef6a25fe97bf527a25b",
		Scopes:             []string{"read:hooks"},
	}}}, dir, "hooks.example.com", nil)
	if err != nil {
		panic(err)
	}
	rec := httptest.NewRecorder()
	iss.ServeToken(rec, httptest.NewRequest("POST", server.TokenPath,
		strings.NewReader("grant_type=client_credentials&client_id=deploy-cli&client_secret=secret")))
	var tok struct {
		AccessToken string `json:"access_token"`
		Scope       string `json:"scope"`
		ExpiresIn   int    `json:"expires_in"`
	}
	json.Unmarshal(rec.Body.Bytes(), &tok)
	p, err := iss.Authenticate(context.Background(), tok.AccessToken)
	fmt.Println(rec.Code, tok.Scope, tok.ExpiresIn, iss.Audience())
	fmt.Println(p.Subject, err)
	// Output:
	// 200 read:hooks 86400 https://hooks.example.com/api/v2/
	// deploy-cli@clients <nil>
}
