package server_test

import (
	"bytes"
	"context"
	"net/http"
	"testing"

	"github.com/hookengine/hookengine/server"
)

// TestEncodedSeparators checks the server's own routes (health, the page,
// the redirect) and the API behind them: a path with an encoded slash or
// backslash reaches no route, encoded once or more.
func TestEncodedSeparators(t *testing.T) {
	t.Setenv(server.EnvToken, "routes-test-token")
	t.Setenv(server.EnvSecretsKey, "")
	srv, err := server.New(context.Background(), server.Config{DataDir: t.TempDir(), Dev: true}, nil, &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	h := srv.Handler()
	for _, path := range []string{
		"/healthz%2F",
		"/%2Fhealthz",
		"/dashboard%2F",
		"/dashboard%2Fpoints.json",
		"/dashboard%2fpoints.json",
		"/dashboard%252Fpoints.json",
		"/dashboard/%2E%2E%2Fapi%2Fv2%2Fhooks",
		"/dashboard%5Cpoints.json",
		"/api/v2/hooks%2F01M8B5KWEK7S80PCDRTJYTCRAT%2Fsecrets",
		"/api/v2/hooks/01M8B5KWEK7S80PCDRTJYTCRAT%2Fsecrets",
		"/hookengine/v1/hooks/01M8B5KWEK7S80PCDRTJYTCRAT%2Flogs",
	} {
		if rec := do(h, "GET", path, "routes-test-token"); rec.status != http.StatusNotFound {
			t.Errorf("GET %s: %d, want 404", path, rec.status)
		}
	}
	for _, path := range []string{"/healthz", "/dashboard/points.json", "/api/v2/hooks"} {
		if rec := do(h, "GET", path, "routes-test-token"); rec.status != http.StatusOK {
			t.Errorf("GET %s: %d, want 200", path, rec.status)
		}
	}
}
