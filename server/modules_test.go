package server_test

import (
	"context"
	"io"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"go.uber.org/zap"

	"github.com/hookengine/hookengine/mgmtapi"
	"github.com/hookengine/hookengine/server"
	"github.com/hookengine/hookengine/store"
)

// TestNodeModules checks Config.NodeModules: hooks require its packages,
// and their declared dependencies are checked against it before a run.
func TestNodeModules(t *testing.T) {
	t.Setenv(server.EnvToken, "modules-test-token")
	t.Setenv(server.EnvSecretsKey, store.EncodeKey(store.GenerateKey()))
	ctx := context.Background()
	script := `module.exports = function (u, c, cb) { cb(null, { user: { app_metadata: { hi: require('greet').greet('ada') } } }); };`
	tests := []struct {
		name    string
		modules string
		deps    map[string]string
		want    string // in the run's data
	}{
		{"a project directory", filepath.Join("..", "testdata", "modules"), map[string]string{"greet": "^1.2.0"}, `"hi":"Hello, Ada!"`},
		{"the node_modules directory", filepath.Join("..", "testdata", "modules", "node_modules"), nil, `"hi":"Hello, Ada!"`},
		{"a dependency of another version", filepath.Join("..", "testdata", "modules"), map[string]string{"greet": "2.0.0"},
			"dependency greet@2.0.0: version 1.2.3 is installed"},
		{"none", "", nil, "Cannot find module 'greet'"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, err := server.New(ctx, server.Config{DataDir: t.TempDir(), NodeModules: tt.modules}, zap.NewNop(), io.Discard)
			if err != nil {
				t.Fatal(err)
			}
			defer srv.Close()
			hs := httptest.NewServer(srv.Handler())
			defer hs.Close()
			c, _ := mgmtapi.NewClient(hs.URL, "modules-test-token", nil)
			h, err := c.CreateHook(ctx, mgmtapi.CreateHookRequest{Name: "greeter", Script: script, TriggerID: "pre-user-registration", Dependencies: tt.deps})
			if err != nil {
				t.Fatal(err)
			}
			res, err := c.RunHook(ctx, h.ID, map[string]any{"user": map[string]any{}, "context": map[string]any{"connection": map[string]any{}}})
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(string(res.Data), tt.want) {
				t.Errorf("the run's data %s lacks %q", res.Data, tt.want)
			}
		})
	}
	if _, err := server.New(ctx, server.Config{DataDir: t.TempDir(), NodeModules: filepath.Join(t.TempDir(), "nowhere")}, zap.NewNop(), io.Discard); err == nil ||
		!strings.Contains(err.Error(), "node_modules") {
		t.Errorf("a missing directory: %v", err)
	}
}
