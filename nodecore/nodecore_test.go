package nodecore_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/hookengine/hookengine/engine"
	"github.com/hookengine/hookengine/enginetest"
	"github.com/hookengine/hookengine/triggers"
)

func TestCoreModules(t *testing.T) {
	root, err := os.OpenRoot(filepath.Join("..", "testdata", "modules", "node_modules"))
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	e := enginetest.New(t, engine.WithNodeModules(root.FS()))
	res, err := e.Run(context.Background(), engine.Hook{Name: "core", Trigger: triggers.PreUserRegistration,
		Script: enginetest.ReadFile(t, filepath.Join("..", "testdata", "hooks", "nodecore", "core-modules.js"))},
		enginetest.ReadFile(t, filepath.Join("..", "testdata", "inputs", "pre-user-registration.json")))
	if err != nil {
		t.Fatalf("%v %s (logs %v)", err, res.Envelope.Data, res.Logs)
	}
	var got map[string]any
	if err := json.Unmarshal(res.Envelope.Data, &got); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"stream":         "ABC true true function function",
		"string_decoder": "€",
		"zlib":           "hello hooks abc raw unzip",
		"zlibError":      "Z_DATA_ERROR: incorrect header check",
		"zlibBomb":       "ERR_BUFFER_TOO_LARGE",
		"zlibCallback":   "cb",
		"zlibStream":     "streamed",
		"os":             "linux Linux localhost / 0 0 {} true",
		"domain":         "ran null",
		"assert":         "ERR_ASSERTION AssertionError",
		"net":            "6 4 0 true function",
		"netConnect":     "ERR_FEATURE_UNAVAILABLE_ON_PLATFORM",
		"tls":            "function false",
		"timers":         "later function",
		"urlParse":       "https: user:pw api.example.com 8443 /a/b /a/b?x=1&y=2 2 #h",
		"urlFormat":      "https://sns.us-east-1.amazonaws.com/?a=b%20c",
		"urlResolve":     "http://example.com/three",
		"urlGlobal":      true,
		"fsRead":         "needs-fs",
		"fsRelative":     "true false",
		"fsStat":         "true true ",
		"fsReaddir":      "index.js,package.json true",
		"fsCallback":     true,
		"fsPromise":      "ENOENT: no such file or directory, open '/etc/passwd'",
		"fsWrite":        "EROFS: read-only file system, open '/node_modules/x'",
		"fsWatch":        "ERR_FEATURE_UNAVAILABLE_ON_PLATFORM",
	}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("%s: got %v, want %v", k, got[k], w)
		}
	}
	for k := range got {
		if _, ok := want[k]; !ok {
			t.Errorf("unexpected %s: %v", k, got[k])
		}
	}
}

// TestFSWithoutNodeModules: without an operator's directory, nothing
// exists.
func TestFSWithoutNodeModules(t *testing.T) {
	res, err := enginetest.Run(t, triggers.PreUserRegistration,
		`module.exports = (u, c, cb) => cb(null, { e: require('fs').existsSync('/node_modules'), r: (() => { try { require('fs').readdirSync('/node_modules') } catch (e) { return e.code } })() })`,
		enginetest.ReadFile(t, filepath.Join("..", "testdata", "inputs", "pre-user-registration.json")))
	if err != nil || string(res.Envelope.Data) != `{"e":false,"r":"ENOENT"}` {
		t.Errorf("%v %s", err, res.Envelope.Data)
	}
}
