package modules_test

import (
	"context"
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

// npmPackages are the real packages TestNPMPackages installs. Majors are
// pinned so the test does not change under it: uuid 12 and later ship ES
// modules only, which hooks cannot load (see TestRequireFromNodeModulesRefuses
// in package sandbox for the error they get).
var npmPackages = []string{"lodash@4", "ipaddr.js@2", "uuid@11", "moment@2"}

var (
	npmOnce sync.Once
	npmDir  string // removed by TestMain
	npmErr  error
)

// installNPM installs npmPackages into a temporary directory, once per test
// binary, and returns its node_modules directory.
func installNPM(t *testing.T) string {
	t.Helper()
	npm, err := exec.LookPath("npm")
	if err != nil {
		const why = "npm is not installed: this test installs lodash, ipaddr.js, uuid and moment from the npm registry with it"
		if os.Getenv("HOOKENGINE_REQUIRE_NPM") != "" {
			t.Fatal(why + " (HOOKENGINE_REQUIRE_NPM is set)")
		}
		t.Skip(why)
	}
	npmOnce.Do(func() {
		npmDir, npmErr = os.MkdirTemp("", "hookengine-npm-")
		if npmErr != nil {
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		args := append([]string{"install", "--prefix", npmDir, "--no-audit", "--no-fund", "--no-package-lock", "--ignore-scripts"}, npmPackages...)
		cmd := exec.CommandContext(ctx, npm, args...)
		cmd.Env = append(os.Environ(), "npm_config_update_notifier=false", "npm_config_loglevel=error")
		if out, err := cmd.CombinedOutput(); err != nil {
			npmErr = errors.New("npm " + strings.Join(args, " ") + ": " + err.Error() + "\n" + string(out))
		}
	})
	if npmErr != nil {
		t.Fatal(npmErr)
	}
	return filepath.Join(npmDir, "node_modules")
}

func TestNPMPackages(t *testing.T) {
	dir := installNPM(t)
	root, err := os.OpenRoot(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	e := enginetest.New(t, engine.WithNodeModules(root.FS()))
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
