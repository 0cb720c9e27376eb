package modules_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hookengine/hookengine/engine"
	"github.com/hookengine/hookengine/enginetest"
	"github.com/hookengine/hookengine/sandbox"
	"github.com/hookengine/hookengine/triggers"
)

// fixtures is testdata/modules/node_modules, as an engine option.
func fixtures(t *testing.T) engine.Option {
	t.Helper()
	root, err := os.OpenRoot(filepath.Join("..", "testdata", "modules", "node_modules"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { root.Close() })
	return engine.WithNodeModules(root.FS())
}

func TestEnginePackages(t *testing.T) {
	e := enginetest.New(t, fixtures(t))
	evalCases(t, e, nil, []evalCase{
		{"a package", `require('greet').greet('grace')`, "Hello, Grace!"},
		{"a package using the engine's crypto and events", `require('uses-crypto').digest('abc') + ' ' + require('uses-crypto').emitter`,
			"a9993e364706816aba3e25717850c26c9cd0d89d function"},
		{"a package reading its own files with fs", `JSON.parse(require('needs-fs')('/node_modules/needs-fs/package.json')).name + ' ' +
			(() => { try { require('needs-fs')('/etc/hostname') } catch (e) { return e.code } })()`, "needs-fs ENOENT"},
		{"a package needing vm", `(() => { try { require('needs-vm') } catch (e) { return e.message.split('\n')[0] } })()`,
			"Cannot find module 'vm': 'vm' is a Node.js core module that hooks cannot use (package 'needs-vm' needs it)"},
		{"a native addon", `(() => { try { require('native-addon') } catch (e) { return e.code } })()`, "ERR_NATIVE_ADDON"},
		{"built-in modules win over node_modules", `typeof require('axios').create`, "function"},
	})
}

func TestHookDependencies(t *testing.T) {
	e := enginetest.New(t, fixtures(t))
	in := input(t, triggers.PreUserRegistration)
	hook := engine.Hook{Name: "deps", Trigger: triggers.PreUserRegistration,
		Script:       `const greet = require('greet'); module.exports = (user, context, cb) => cb(null, { user: { user_metadata: { hello: greet.greet(user.username) } } });`,
		Dependencies: map[string]string{"greet": "1.2.3", "auth0": "2.30.0", "request": "2.88.2", "@acme/strings": "~0.4.0"},
	}
	res, err := e.Run(context.Background(), hook, in)
	if err != nil || !res.Envelope.Succeeded() {
		t.Fatalf("satisfied: %v %s", err, res.Envelope.Data)
	}
	if err := e.Compile(hook); err != nil {
		t.Errorf("Compile: %v", err)
	}

	// The same hook, now declaring versions that are not there: checked on
	// every run, warm runtimes included.
	hook.Dependencies = map[string]string{"greet": "^2.0.0", "left-pad": "1.3.0", "bcrypt": "3.0.6"}
	res, err = e.Run(context.Background(), hook, in)
	var re *engine.RunError
	if !errors.As(err, &re) || res == nil {
		t.Fatalf("got %v, want a *RunError and a result", err)
	}
	var problems []string
	for _, x := range re.Err.(interface{ Unwrap() []error }).Unwrap() {
		var de *sandbox.DependencyError
		if errors.As(x, &de) {
			problems = append(problems, de.Name+"|"+de.Wanted+"|"+de.Installed)
		}
	}
	if got, want := strings.Join(problems, ","), "bcrypt|3.0.6|,greet|^2.0.0|1.2.3,left-pad|1.3.0|"; got != want {
		t.Errorf("problems %q, want %q", got, want)
	}
	d := decode(t, res.Envelope.Data)
	if d["code"] != "dependency_error" || !strings.Contains(d["message"].(string), "dependency greet@^2.0.0: version 1.2.3 is installed") {
		t.Errorf("envelope %s", res.Envelope.Data)
	}
	if err := e.RunAsync(context.Background(), hook, in); !errors.As(err, new(*sandbox.DependencyError)) {
		t.Errorf("RunAsync: got %v", err)
	}
	if err := e.Compile(hook); !errors.As(err, new(*sandbox.DependencyError)) {
		t.Errorf("Compile: got %v", err)
	}

	// Without a node_modules directory, only the engine's own modules count.
	plain := enginetest.New(t)
	res, err = plain.Run(context.Background(), engine.Hook{Trigger: triggers.PreUserRegistration, Script: `module.exports = (u, c, cb) => cb();`,
		Dependencies: map[string]string{"auth0": "2.30.0", "axios": "^0.21"}}, in)
	if err != nil || !res.Envelope.Succeeded() {
		t.Errorf("built-in dependencies: %v %s", err, res.Envelope.Data)
	}
	_, err = plain.Run(context.Background(), engine.Hook{Trigger: triggers.PreUserRegistration, Script: `module.exports = (u, c, cb) => cb();`,
		Dependencies: map[string]string{"slack-notify": "0.1.7"}}, in)
	var de *sandbox.DependencyError
	if !errors.As(err, &de) || !strings.Contains(de.Error(), "no node_modules directory") {
		t.Errorf("got %v", err)
	}
}
