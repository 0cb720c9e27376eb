package server_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"

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
