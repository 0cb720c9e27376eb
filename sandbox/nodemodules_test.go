package sandbox_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/dop251/goja"

	"github.com/hookengine/hookengine/sandbox"
)

// fixtureModules opens testdata/modules/node_modules as the hooks'
// node_modules directory.
func fixtureModules(t testing.TB) *sandbox.Registry {
	t.Helper()
	root, err := os.OpenRoot(filepath.Join("..", "testdata", "modules", "node_modules"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { root.Close() })
	reg := sandbox.NewRegistry()
	reg.SetNodeModules(root.FS())
	return reg
}

func TestRequireFromNodeModules(t *testing.T) {
	tests := []struct {
		desc, src, want string
	}{
		{"main, relative require and JSON", `require('greet').greet('ada')`, "Hello, Ada!"},
		{"__filename", `require('greet').file`, "/node_modules/greet/lib/greet.js"},
		{"__dirname", `require('greet').dir`, "/node_modules/greet/lib"},
		{"module.id", `require('greet').id`, "/node_modules/greet/lib/greet.js"},
		{"this is module.exports", `require('greet').thisIsExports`, "true"},
		{"a JSON file by path", `require('greet/data.json').greeting`, "Hello"},
		{"a file by subpath", `require('greet/lib/util').capitalize('x')`, "X"},
		{"the cache", `require('greet') === require('greet') && require('greet') === require('greet@1.2.3')`, "true"},
		{"cycles see partial exports", `JSON.stringify(require('cycle'))`, `{"a":true,"b":true,"sawFromB":false,"sawFromA":true}`},
		{"exports conditions pick require", `JSON.stringify(require('conditional'))`, `{"build":"cjs","feature":"feature"}`},
		{"exports subpath", `require('conditional/feature').name`, "feature"},
		{"exports pattern", `require('conditional/utils/math').double(21)`, "42"},
		{"exports package.json", `require('conditional/package.json').version`, "3.1.0"},
		{"nested node_modules", `JSON.stringify(require('nested'))`, `{"depVersion":"2.0.0","greet":"Hello, Nested!"}`},
		{"top-level copy", `require('dep').version`, "1.0.0"},
		{"scoped package, main directory, shebang", `require('@acme/strings').shout('hi')`, "HI!"},
		{"scoped with a pin", `require('@acme/strings@^0.4').shout('x')`, "X!"},
		{"pins as ranges", `require('greet@1') === require('greet@~1.2.0')`, "true"},
		{"optional core module", `JSON.stringify(require('optional-fs'))`, `{"hasFs":false,"code":"MODULE_NOT_FOUND"}`},
		{"reads stay inside node_modules", `require('escape').join()`,
			"../../../../../../etc/passwd: MODULE_NOT_FOUND,/etc/passwd: MODULE_NOT_FOUND,../../go.mod: MODULE_NOT_FOUND," +
				"../../../go.mod: MODULE_NOT_FOUND,../../../hooks/modules/risk-axios.js: MODULE_NOT_FOUND"},
		{"built-ins win", `require('buffer') === require('node:buffer')`, "true"},
	}
	reg := fixtureModules(t)
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			rt := newRuntime(t, &sandbox.Config{Modules: reg})
			begin(t, rt, context.Background(), roomy, nil)
			if got := eval(t, rt, tt.src); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestRequireFromNodeModulesRefuses(t *testing.T) {
	tests := []struct {
		spec, code, msg string
	}{
		{"missing", "MODULE_NOT_FOUND", "Cannot find module 'missing'"},
		{"missing@1.0.0", "MODULE_NOT_FOUND", "Cannot find module 'missing@1.0.0': missing is not installed"},
		{"greet@2", "ERR_DEPENDENCY_VERSION", "Cannot load 'greet@2': version 1.2.3 of greet is installed, not 2"},
		{"greet@^1.3.0", "ERR_DEPENDENCY_VERSION", "version 1.2.3 of greet is installed, not ^1.3.0"},
		{"noversion@1.0.0", "ERR_DEPENDENCY_VERSION", "the installed package has no version in its package.json"},
		{"fs", "MODULE_NOT_FOUND", "Cannot find module 'fs'"},
		{"node:greet", "MODULE_NOT_FOUND", "Cannot find module 'node:greet'"},
		{"./greet", "MODULE_NOT_FOUND", "Cannot find module './greet'"},
		{"/node_modules/greet/lib/greet.js", "MODULE_NOT_FOUND", "Cannot find module '/node_modules/greet/lib/greet.js'"},
		{"needs-fs", "MODULE_NOT_FOUND",
			"Cannot find module 'fs': 'fs' is a Node.js core module that hooks cannot use (package 'needs-fs' needs it)\nRequire stack:\n- /node_modules/needs-fs/index.js"},
		{"native-addon", "ERR_NATIVE_ADDON", `Cannot load package 'native-addon': it needs a native addon (its package.json sets "gypfile"), and hooks can only load pure-JavaScript packages`},
		{"prebuilt", "ERR_NATIVE_ADDON", "Cannot load /node_modules/prebuilt/build/binding.node: it is a native addon (package 'prebuilt')"},
		{"esm-only", "ERR_REQUIRE_ESM", `require() of ES Module /node_modules/esm-only/index.js is not supported: /node_modules/esm-only/package.json sets "type": "module", and hooks load CommonJS modules only`},
		{"conditional/dist/index.mjs", "ERR_PACKAGE_PATH_NOT_EXPORTED", `Package subpath './dist/index.mjs' is not defined by "exports" in /node_modules/conditional/package.json`},
		{"untyped-esm", "ERR_REQUIRE_ESM", "it uses import/export syntax"},
		{"conditional/lib/secret", "ERR_PACKAGE_PATH_NOT_EXPORTED", "Package subpath './lib/secret' is not defined"},
		{"conditional/internal/x", "ERR_PACKAGE_PATH_NOT_EXPORTED", "Package subpath './internal/x' is not defined"},
		{"broken", "ERR_SYNTAX", "/node_modules/broken/index.js"},
		{"broken/bad.json", "ERR_SYNTAX", "/node_modules/broken/bad.json: "},
	}
	reg := fixtureModules(t)
	for _, tt := range tests {
		t.Run(tt.spec, func(t *testing.T) {
			rt := newRuntime(t, &sandbox.Config{Modules: reg})
			begin(t, rt, context.Background(), roomy, nil)
			got := eval(t, rt, `try { require('`+tt.spec+`'); 'loaded' } catch (e) { [e instanceof Error, e.code, e.message].join('|') }`)
			parts := strings.SplitN(got, "|", 3)
			if len(parts) != 3 || parts[0] != "true" || parts[1] != tt.code || !strings.Contains(parts[2], tt.msg) {
				t.Errorf("got %q\nwant code %s and a message containing %q", got, tt.code, tt.msg)
			}
		})
	}
}

func TestRequireFromNodeModulesSyntaxErrors(t *testing.T) {
	reg := fixtureModules(t)
	rt := newRuntime(t, &sandbox.Config{Modules: reg})
	begin(t, rt, context.Background(), roomy, nil)
	if got := eval(t, rt, `try { require('broken') } catch (e) { e.name }`); got != "SyntaxError" {
		t.Errorf("a file that does not compile: got %s, want a SyntaxError", got)
	}
}

func TestModuleThatThrowsIsLoadedAgain(t *testing.T) {
	reg := fixtureModules(t)
	rt := newRuntime(t, &sandbox.Config{Modules: reg})
	begin(t, rt, context.Background(), roomy, nil)
	if got := eval(t, rt, `try { require('throws') } catch (e) { e.message }`); got != "first load fails" {
		t.Errorf("first require: got %q", got)
	}
	if got := eval(t, rt, `require('throws').loads`); got != "2" {
		t.Errorf("second require: got %q, want the module to run again", got)
	}
}

func TestNodeModulesCachePerRuntime(t *testing.T) {
	reg := fixtureModules(t)
	a := newRuntime(t, &sandbox.Config{Modules: reg})
	begin(t, a, context.Background(), roomy, nil)
	mustRun(t, a, `require('greet').mark = 'a'`)
	if got := eval(t, a, `require('greet').mark`); got != "a" {
		t.Errorf("same runtime: got %q, want the cached module", got)
	}
	b := newRuntime(t, &sandbox.Config{Modules: reg})
	begin(t, b, context.Background(), roomy, nil)
	if got := eval(t, b, `String(require('greet').mark)`); got != "undefined" {
		t.Errorf("another runtime: got %q, want a module of its own", got)
	}
}

func TestRequireResolve(t *testing.T) {
	reg := fixtureModules(t)
	fsys := fstest.MapFS{
		"probe/package.json": {Data: []byte(`{"name":"probe","version":"1.0.0"}`)},
		"probe/index.js": {Data: []byte(`module.exports = [require.resolve('./index'), require.resolve('greet'), require.resolve('util'),
			require.resolve('fs'), module.paths.join(), module.filename, module.loaded, typeof module.require];`)},
		"greet/package.json": {Data: []byte(`{"name":"greet","version":"1.0.0"}`)},
		"greet/index.js":     {Data: []byte(`module.exports = 1;`)},
	}
	reg.SetNodeModules(fsys)
	rt := newRuntime(t, &sandbox.Config{Modules: reg})
	begin(t, rt, context.Background(), roomy, nil)
	want := "/node_modules/probe/index.js,/node_modules/greet/index.js,util,fs,/node_modules/probe/node_modules,/node_modules," +
		"/node_modules/probe/index.js,false,function"
	if got := eval(t, rt, `require('probe').join()`); got != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}
}

func TestNodeModulesSymlinksCannotEscape(t *testing.T) {
	dir := t.TempDir()
	outside := filepath.Join(dir, "outside")
	nm := filepath.Join(dir, "node_modules")
	for _, d := range []string{outside, filepath.Join(nm, "sneaky")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(outside, "secret.js"), []byte(`module.exports = 'secret'`), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(nm, "sneaky", "package.json"), []byte(`{"name":"sneaky","version":"1.0.0"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(outside, "secret.js"), filepath.Join(nm, "sneaky", "index.js")); err != nil {
		t.Skipf("no symbolic links here: %v", err)
	}
	if err := os.Symlink(outside, filepath.Join(nm, "linked")); err != nil {
		t.Fatal(err)
	}
	root, err := os.OpenRoot(nm)
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	reg := sandbox.NewRegistry()
	reg.SetNodeModules(root.FS())
	rt := newRuntime(t, &sandbox.Config{Modules: reg})
	begin(t, rt, context.Background(), roomy, nil)
	for _, spec := range []string{"sneaky", "linked/secret"} {
		got := eval(t, rt, `try { require('`+spec+`') } catch (e) { e.code }`)
		if got == "secret" {
			t.Errorf("require(%q) read a file outside node_modules through a symbolic link", spec)
		}
	}
}

func TestCheckDependencies(t *testing.T) {
	reg := fixtureModules(t)
	if err := reg.CheckDependencies(map[string]string{"greet": "1.2.3", "@acme/strings": "^0.4.0", "util": "0.12.5", "cycle": "*"}); err != nil {
		t.Errorf("satisfied dependencies: got %v", err)
	}
	if err := reg.CheckDependencies(nil); err != nil {
		t.Errorf("no dependencies: got %v", err)
	}
	err := reg.CheckDependencies(map[string]string{
		"greet": "2.0.0", "missing": "1.0.0", "native-addon": "5.0.1", "esm-only": "2.0.0", "fs": "1.0.0", "dep": "github:x/y",
		"noversion": "1.0.0", "./local": "1.0.0",
	})
	want := map[string]struct {
		installed, reason string
		problem           sandbox.DependencyProblem
	}{
		"./local":      {"", "not a package name", sandbox.DependencyInvalid},
		"dep":          {"1.0.0", `invalid version range "github:x/y"`, sandbox.DependencyInvalid},
		"esm-only":     {"2.0.0", "require() of ES Module", sandbox.DependencyESMOnly},
		"fs":           {"", "fs is a Node.js core module that hooks cannot use", sandbox.DependencyCoreModule},
		"greet":        {"1.2.3", "version 1.2.3 is installed", sandbox.DependencyWrongVersion},
		"missing":      {"", "the package is not installed in node_modules", sandbox.DependencyMissing},
		"native-addon": {"5.0.1", "needs a native addon", sandbox.DependencyNativeAddon},
		"noversion":    {"", "no version in its package.json", sandbox.DependencyUnloadable},
	}
	var got []*sandbox.DependencyError
	for _, e := range err.(interface{ Unwrap() []error }).Unwrap() {
		var de *sandbox.DependencyError
		if !errors.As(e, &de) {
			t.Fatalf("%v is not a *DependencyError", e)
		}
		got = append(got, de)
	}
	if len(got) != len(want) {
		t.Fatalf("got %d problems (%v), want %d", len(got), err, len(want))
	}
	for i, de := range got {
		w, ok := want[de.Name]
		if !ok || !strings.Contains(de.Reason, w.reason) || de.Installed != w.installed || de.Problem != w.problem {
			t.Errorf("%s: got installed %q reason %q problem %q, want %q, %q and %q", de.Name, de.Installed, de.Reason, de.Problem, w.installed, w.reason, w.problem)
		}
		if i > 0 && got[i-1].Name >= de.Name {
			t.Errorf("problems not sorted by name: %s before %s", got[i-1].Name, de.Name)
		}
	}
	if msg := err.Error(); !strings.Contains(msg, "dependency greet@2.0.0: version 1.2.3 is installed") {
		t.Errorf("message %q does not name both versions", msg)
	}
	plain := sandbox.NewRegistry()
	err = plain.CheckDependencies(map[string]string{"greet": "1.2.3"})
	var de *sandbox.DependencyError
	if !errors.As(err, &de) || !strings.Contains(de.Reason, "no node_modules directory") || de.Problem != sandbox.DependencyMissing {
		t.Errorf("without node_modules: got %v", err)
	}
}

func TestRegisterRuntimeModule(t *testing.T) {
	reg := sandbox.NewRegistry()
	if err := reg.RegisterRuntimeModule("x@1", nil); err == nil {
		t.Error("nil module: no error")
	}
	err := reg.RegisterRuntimeModule("answer", func(r *sandbox.Runtime, module *goja.Object) {
		_ = module.Set("exports", r.Require("util").ToObject(r.VM()).Get("format").Export() != nil)
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := reg.RegisterRuntimeModule("bad@1", func(*sandbox.Runtime, *goja.Object) {}); err == nil {
		t.Error("invalid name: no error")
	}
	rt := newRuntime(t, &sandbox.Config{Modules: reg})
	begin(t, rt, context.Background(), roomy, nil)
	if got := eval(t, rt, `require('answer')`); got != "true" {
		t.Errorf("got %q", got)
	}
	if !reg.Has("answer") || reg.Clone().Has("missing") {
		t.Error("Has")
	}
}
