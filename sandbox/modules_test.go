package sandbox_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/dop251/goja"

	"github.com/hookengine/hookengine/sandbox"
)

func TestParseModuleName(t *testing.T) {
	tests := []struct {
		spec, name, version string
	}{
		{"url", "url", ""},
		{"node:url", "url", ""},
		{"node:fs", "fs", ""},
		{"ipaddr.js@1.9.0", "ipaddr.js", "1.9.0"},
		{"lodash@4", "lodash", "4"},
		{"left-pad@1.2.3", "left-pad", "1.2.3"},
		{"@scope/pkg", "@scope/pkg", ""},
		{"@scope/pkg@2", "@scope/pkg", "2"},
		{"@scope/pkg@^2.1.0", "@scope/pkg", "^2.1.0"},
		{"lodash/fp", "lodash/fp", ""},
		{"pkg@1.0.0/sub", "pkg@1.0.0/sub", ""}, // a version never precedes a subpath
		{"@scope", "@scope", ""},
		{"", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.spec, func(t *testing.T) {
			name, version := sandbox.ParseModuleName(tt.spec)
			if name != tt.name || version != tt.version {
				t.Errorf("got (%q, %q), want (%q, %q)", name, version, tt.name, tt.version)
			}
		})
	}
}

func TestRequireBuiltins(t *testing.T) {
	tests := []struct {
		desc string
		src  string
		want string
	}{
		{"buffer", `require('buffer').Buffer.from('hi').toString('hex')`, "6869"},
		{"url", `new (require('url').URL)('https://example.com/p?q=1').searchParams.get('q')`, "1"},
		{"util.format", `require('util').format('%s=%d', 'n', 42)`, "n=42"},
		{"util.inspect", `require('util').inspect({a: [1, {b: {c: {}}}]})`, "{ a: [ 1, { b: [Object] } ] }"},
		{"util.inherits", `function A() {} A.prototype.hi = () => 'hi'; function B() {} require('util').inherits(B, A); new B().hi() + (B.super_ === A)`, "hitrue"},
		{"node: prefix", `require('node:buffer').Buffer === require('buffer').Buffer`, "true"},
		{"version pin", `require('util@1.2.3') === require('util')`, "true"},
		{"node: prefix and cache", `require('node:util') === require('util')`, "true"},
		{"global Buffer", `Buffer.from('hi').toString('base64')`, "aGk="},
		{"global URL", `new URL('/x?y=2', 'https://example.com').href`, "https://example.com/x?y=2"},
		{"global URLSearchParams", `new URLSearchParams('a=1&b=2').get('b')`, "2"},
		{"global Buffer is the module's", `Buffer === require('buffer').Buffer`, "true"},
		{"lazy globals can be replaced", `Buffer = 'mine'; Buffer`, "mine"},
		{"global is the global object", `global === globalThis`, "true"},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			rt := newRuntime(t, nil)
			begin(t, rt, context.Background(), roomy, nil)
			if got := eval(t, rt, tt.src); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestUtilPromisify(t *testing.T) {
	rt := newRuntime(t, nil)
	begin(t, rt, context.Background(), roomy, nil)
	mustRun(t, rt, `
		var results = [];
		const { promisify } = require('util');
		const ok = promisify((x, cb) => cb(null, x * 2));
		const fail = promisify((cb) => cb(new Error('nope')));
		ok(21).then((v) => results.push(v));
		fail().catch((e) => results.push(e.message));`)
	if got, want := eval(t, rt, `results.join()`), "42,nope"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestRequireNotFound(t *testing.T) {
	for _, spec := range []string{
		"fs", "node:fs", "child_process", "process", "os", "net", "http", "vm", "module", "worker_threads",
		"./x", "../x", "/etc/passwd", "./lib/index.js", "left-pad", "left-pad@1.0.0", "@scope/missing@2",
	} {
		t.Run(spec, func(t *testing.T) {
			rt := newRuntime(t, nil)
			begin(t, rt, context.Background(), roomy, nil)
			got := eval(t, rt, `try { require('`+spec+`'); 'loaded' } catch (e) { [e instanceof Error, e.code, e.message].join('|') }`)
			if want := "true|MODULE_NOT_FOUND|Cannot find module '" + spec + "'"; got != want {
				t.Errorf("got %q, want %q", got, want)
			}
		})
	}
}

func TestRequireNonString(t *testing.T) {
	rt := newRuntime(t, nil)
	begin(t, rt, context.Background(), roomy, nil)
	for _, arg := range []string{"42", "undefined", "{}", "new String('fs')"} {
		got := eval(t, rt, `try { require(`+arg+`); 'loaded' } catch (e) { e instanceof TypeError }`)
		if got != "true" {
			t.Errorf("require(%s): got %q, want a TypeError", arg, got)
		}
	}
}

func TestCustomModule(t *testing.T) {
	reg := sandbox.NewRegistry()
	loads := 0
	greeter := func(vm *goja.Runtime, module *goja.Object) {
		loads++
		exports := module.Get("exports").(*goja.Object)
		_ = exports.Set("greet", func(name string) string { return "hello " + name })
		_ = exports.Set("id", module.Get("id"))
	}
	if err := reg.Register("greeter", greeter); err != nil {
		t.Fatalf("Register: got %v, want nil", err)
	}
	if err := reg.Register("@acme/tools", func(vm *goja.Runtime, module *goja.Object) {
		_ = module.Set("exports", "replaced exports")
	}); err != nil {
		t.Fatalf("Register scoped: got %v, want nil", err)
	}
	if err := reg.Register("util", func(vm *goja.Runtime, module *goja.Object) {
		_ = module.Set("exports", "my util")
	}); err != nil {
		t.Fatalf("Register over a built-in: got %v, want nil", err)
	}
	cfg := &sandbox.Config{Modules: reg}

	rt := newRuntime(t, cfg)
	begin(t, rt, context.Background(), roomy, nil)
	if got, want := eval(t, rt, `require('greeter').greet('ada')`), "hello ada"; got != want {
		t.Errorf("greet: got %q, want %q", got, want)
	}
	if got, want := eval(t, rt, `require('greeter').id`), "greeter"; got != want {
		t.Errorf("module.id: got %q, want %q", got, want)
	}
	if got := eval(t, rt, `require('greeter') === require('node:greeter') && require('greeter') === require('greeter@3.0.0')`); got != "true" {
		t.Errorf("same exports for every spelling: got %s, want true", got)
	}
	if got, want := eval(t, rt, `require('@acme/tools@2')`), "replaced exports"; got != want {
		t.Errorf("scoped module: got %q, want %q", got, want)
	}
	if got, want := eval(t, rt, `require('util')`), "my util"; got != want {
		t.Errorf("replaced built-in: got %q, want %q", got, want)
	}
	rt.End()
	// The cache belongs to the runtime and outlives its executions.
	begin(t, rt, context.Background(), roomy, nil)
	mustRun(t, rt, `require('greeter')`)
	if loads != 1 {
		t.Errorf("loads in one runtime: got %d, want 1", loads)
	}
	// Another runtime has a cache of its own.
	other := newRuntime(t, cfg)
	begin(t, other, context.Background(), roomy, nil)
	mustRun(t, other, `require('greeter')`)
	if loads != 2 {
		t.Errorf("loads in two runtimes: got %d, want 2", loads)
	}

	// The default registry is untouched.
	plain := newRuntime(t, nil)
	begin(t, plain, context.Background(), roomy, nil)
	if got := eval(t, plain, `try { require('greeter') } catch (e) { e.code }`); got != "MODULE_NOT_FOUND" {
		t.Errorf("require of a module registered elsewhere: got %q, want MODULE_NOT_FOUND", got)
	}
}

func TestModuleThatThrowsIsNotCached(t *testing.T) {
	reg := sandbox.NewRegistry()
	loads := 0
	err := reg.Register("flaky", func(vm *goja.Runtime, module *goja.Object) {
		loads++
		if loads == 1 {
			panic(vm.NewTypeError("first load fails"))
		}
		_ = module.Set("exports", "second load works")
	})
	if err != nil {
		t.Fatalf("Register: got %v, want nil", err)
	}
	rt := newRuntime(t, &sandbox.Config{Modules: reg})
	begin(t, rt, context.Background(), roomy, nil)
	if got, want := eval(t, rt, `try { require('flaky') } catch (e) { e.message }`), "first load fails"; got != want {
		t.Errorf("first require: got %q, want %q", got, want)
	}
	if got, want := eval(t, rt, `require('flaky')`), "second load works"; got != want {
		t.Errorf("second require: got %q, want %q", got, want)
	}
}

func TestRegisterRejectsInvalidNames(t *testing.T) {
	nop := func(*goja.Runtime, *goja.Object) {}
	tests := []struct {
		desc string
		name string
		m    sandbox.Module
	}{
		{"empty", "", nop},
		{"relative", "./x", nop},
		{"parent", "../x", nop},
		{"dot", ".", nop},
		{"absolute", "/etc/passwd", nop},
		{"version pin", "x@1.0.0", nop},
		{"scoped with a version pin", "@scope/x@2", nop},
		{"node: prefix", "node:x", nop},
		{"nil module", "fine", nil},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			reg := sandbox.NewRegistry()
			if err := reg.Register(tt.name, tt.m); err == nil {
				t.Errorf("Register(%q): got nil error, want one", tt.name)
			}
			if want := []string{"buffer", "url", "util"}; !slices.Equal(reg.Names(), want) {
				t.Errorf("Names after a rejected Register: got %q, want %q", reg.Names(), want)
			}
		})
	}
}

func TestRegistry(t *testing.T) {
	reg := sandbox.NewRegistry()
	if got, want := reg.Names(), []string{"buffer", "url", "util"}; !slices.Equal(got, want) {
		t.Errorf("Names: got %q, want %q", got, want)
	}
	clone := reg.Clone()
	if err := clone.Register("extra", func(*goja.Runtime, *goja.Object) {}); err != nil {
		t.Fatalf("Register: got %v, want nil", err)
	}
	for _, tt := range []struct {
		reg  *sandbox.Registry
		spec string
		want bool
	}{
		{reg, "util", true},
		{reg, "node:util", true},
		{reg, "util@2", true},
		{reg, "fs", false},
		{reg, "extra", false},
		{clone, "extra", true},
		{clone, "extra@1", true},
	} {
		if got := tt.reg.Has(tt.spec); got != tt.want {
			t.Errorf("Has(%q): got %v, want %v", tt.spec, got, tt.want)
		}
	}
}

func TestProcessIsSandboxed(t *testing.T) {
	t.Setenv("SANDBOX_TEST_SECRET", "hunter2")
	tests := []struct {
		desc string
		src  string
		want string
	}{
		{"env is empty", `JSON.stringify(process.env)`, "{}"},
		{"env does not see the host's variables", `String(process.env.SANDBOX_TEST_SECRET)`, "undefined"},
		{"env has no PATH", `'PATH' in process.env`, "false"},
		{"no dangerous methods", `['exit', 'kill', 'abort', 'binding', 'dlopen', 'chdir', 'setuid', 'reallyExit'].filter((k) => k in process).join()`, ""},
		{"cwd is the root", `process.cwd()`, "/"},
		{"argv is empty", `process.argv.length`, "0"},
		{"toStringTag", `Object.prototype.toString.call(process)`, "[object process]"},
		{"hrtime", `const [s, ns] = process.hrtime(); typeof s === 'number' && ns >= 0 && ns < 1e9`, "true"},
		{"hrtime.bigint", `typeof process.hrtime.bigint()`, "bigint"},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			rt := newRuntime(t, nil)
			begin(t, rt, context.Background(), roomy, nil)
			if got := eval(t, rt, tt.src); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestHrtimeFollowsTheClock(t *testing.T) {
	rt, clk := newVirtual(t)
	begin(t, rt, context.Background(), roomy, nil)
	mustRun(t, rt, `var start = process.hrtime(); var startNs = process.hrtime.bigint();`)
	clk.Advance(1500 * time.Millisecond)
	if got, want := eval(t, rt, `process.hrtime(start).join()`), "1,500000000"; got != want {
		t.Errorf("hrtime(start): got %q, want %q", got, want)
	}
	if got, want := eval(t, rt, `String(process.hrtime.bigint() - startNs)`), "1500000000"; got != want {
		t.Errorf("hrtime.bigint difference: got %q, want %q", got, want)
	}
	if got, want := eval(t, rt, `new Date().toISOString()`), "2024-03-01T12:00:01.500Z"; got != want {
		t.Errorf("new Date(): got %q, want %q", got, want)
	}
}
