package modules_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hookengine/hookengine/engine"
	"github.com/hookengine/hookengine/enginetest"
	"github.com/hookengine/hookengine/sandbox"
	"github.com/hookengine/hookengine/triggers"
)

// The npm tests install the packages of testdata/npm (package.json with
// exact versions, and its package-lock.json) with `npm ci`, once: into
// $HOOKENGINE_NPM_CACHE, else the user's cache directory, in a directory
// named after the lock file's hash, which later runs reuse. uuid 12 and
// later ship ES modules only, which hooks cannot load (see
// TestRequireFromNodeModulesRefuses in package sandbox for the error they
// get).
var (
	npmOnce sync.Once
	npmDir  string // a temporary directory removed by TestMain, when no cache could be used
	npmMods string // the node_modules directory
	npmErr  error
)

// npmEngine returns an engine whose hooks may require testdata/npm's
// packages.
func npmEngine(t *testing.T, opts ...engine.Option) *engine.Engine {
	t.Helper()
	root, err := os.OpenRoot(installNPM(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { root.Close() })
	return enginetest.New(t, append([]engine.Option{engine.WithNodeModules(root.FS())}, opts...)...)
}

// installNPM installs testdata/npm's packages, once per lock file, and
// returns their node_modules directory.
func installNPM(t *testing.T) string {
	t.Helper()
	npm, err := exec.LookPath("npm")
	if err != nil {
		const why = "npm is not installed: this test installs the packages of testdata/npm from the npm registry with it"
		if os.Getenv("HOOKENGINE_REQUIRE_NPM") != "" {
			t.Fatal(why + " (HOOKENGINE_REQUIRE_NPM is set)")
		}
		t.Skip(why)
	}
	npmOnce.Do(func() { npmMods, npmErr = npmInstall(npm) })
	if npmErr != nil {
		t.Fatal(npmErr)
	}
	return npmMods
}

func npmInstall(npm string) (string, error) {
	src := filepath.Join("..", "testdata", "npm")
	manifest, err := os.ReadFile(filepath.Join(src, "package.json"))
	if err != nil {
		return "", err
	}
	lock, err := os.ReadFile(filepath.Join(src, "package-lock.json"))
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(append(manifest, lock...))
	cache := os.Getenv("HOOKENGINE_NPM_CACHE")
	if cache == "" {
		if dir, err := os.UserCacheDir(); err == nil {
			cache = filepath.Join(dir, "hookengine")
		}
	}
	var final string
	if cache != "" {
		final = filepath.Join(cache, "npm-"+hex.EncodeToString(sum[:6]))
		if _, err := os.Stat(filepath.Join(final, "installed")); err == nil {
			return filepath.Join(final, "node_modules"), nil
		}
		if err := os.MkdirAll(cache, 0o755); err != nil {
			cache, final = "", ""
		}
	}
	dir, err := os.MkdirTemp(cache, "hookengine-npm-")
	if err != nil {
		return "", err
	}
	for name, data := range map[string][]byte{"package.json": manifest, "package-lock.json": lock} {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			return "", err
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	args := []string{"ci", "--prefix", dir, "--no-audit", "--no-fund", "--ignore-scripts"}
	cmd := exec.CommandContext(ctx, npm, args...)
	cmd.Env = append(os.Environ(), "npm_config_update_notifier=false", "npm_config_loglevel=error")
	if out, err := cmd.CombinedOutput(); err != nil {
		_ = os.RemoveAll(dir)
		return "", errors.New("npm " + strings.Join(args, " ") + ": " + err.Error() + "\n" + string(out))
	}
	if err := os.WriteFile(filepath.Join(dir, "installed"), nil, 0o644); err != nil {
		return "", err
	}
	if final != "" {
		if err := os.Rename(dir, final); err == nil {
			return filepath.Join(final, "node_modules"), nil
		}
		if _, err := os.Stat(filepath.Join(final, "installed")); err == nil {
			// Another test binary installed it meanwhile.
			_ = os.RemoveAll(dir)
			return filepath.Join(final, "node_modules"), nil
		}
	}
	npmDir = dir
	return filepath.Join(dir, "node_modules"), nil
}

func TestNPMPackages(t *testing.T) {
	e := npmEngine(t)
	in := strings.Replace(input(t, triggers.PreUserRegistration), `"newsletter": true`, `"newsletter": true, "birthday": "1990-04-01"`, 1)
	hook := engine.Hook{Name: "npm", Trigger: triggers.PreUserRegistration, Script: hookScript(t, "npm-packages.js"),
		Dependencies: map[string]string{"lodash": "^4.17.0", "ipaddr.js": "2.x", "uuid": "11", "moment": ">=2.29 <3", "axios": "0.21.1"}}
	res, err := e.Run(context.Background(), hook, in)
	if err != nil {
		t.Fatalf("%v %s", err, res.Envelope.Data)
	}
	want := `{"user":{"app_metadata":{"birthday":"April 1, 1990","network":"reserved","plan":"free","signup_id_valid":true,"tags":["a","b"]}}}`
	if got := canon(t, decode(t, res.Envelope.Data)); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}

	// What is installed decides: a declared version it does not match stops
	// the run before the script starts.
	hook.Dependencies = map[string]string{"lodash": "3.10.1", "moment": "^2"}
	res, err = e.Run(context.Background(), hook, in)
	var de *sandbox.DependencyError
	if !errors.As(err, &de) || de.Name != "lodash" || de.Wanted != "3.10.1" || !strings.HasPrefix(de.Installed, "4.") {
		t.Fatalf("mismatched dependency: got %v", err)
	}
	if d := decode(t, res.Envelope.Data); d["code"] != "dependency_error" ||
		!strings.Contains(d["message"].(string), "dependency lodash@3.10.1: version "+de.Installed+" is installed") {
		t.Errorf("envelope %s", res.Envelope.Data)
	}
	if err := e.Compile(hook); !errors.As(err, &de) {
		t.Errorf("Compile: got %v, want the dependency error", err)
	}

	// A pin in the script is checked too.
	res, err = e.Run(context.Background(), engine.Hook{Name: "pin", Trigger: triggers.PreUserRegistration,
		Script: `const ipaddr = require('ipaddr.js@1.9.0'); module.exports = (u, c, cb) => cb();`}, in)
	if !errors.Is(err, engine.ErrThrown) {
		t.Fatalf("pinned require of a missing version: got %v", err)
	}
	if d := decode(t, res.Envelope.Data); !strings.Contains(d["message"].(string), "Cannot load 'ipaddr.js@1.9.0': version 2.") ||
		d["code"] != "ERR_DEPENDENCY_VERSION" {
		t.Errorf("envelope %s", res.Envelope.Data)
	}
}
