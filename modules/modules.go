package modules

import (
	"embed"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/dop251/goja"

	"github.com/hookengine/hookengine/sandbox"
)

//go:embed js/*.js
var sources embed.FS

// wrapperHeader opens the function each module's source is compiled into.
// native holds the Go helpers of modules that have some; host holds what
// the engine gives the module (the runtime's fetch, the protocol of
// http/https). The header stays on the first line, so stack traces show the
// source's own line numbers.
const wrapperHeader = "(function (exports, require, module, native, host) {"

// jsModule is a module written in JavaScript, compiled once per process on
// first use.
type jsModule struct {
	file    string // under js/
	program func() *goja.Program
	// native builds the Go helpers the source calls, if any.
	native func(r *sandbox.Runtime) *goja.Object
	// host adds what the module needs from the engine besides fetch.
	host map[string]any
	// network modules get the runtime's fetch.
	network bool
}

func newJSModule(file string) *jsModule {
	m := &jsModule{file: file}
	m.program = sync.OnceValue(func() *goja.Program {
		src, err := sources.ReadFile("js/" + file)
		if err != nil {
			panic(err)
		}
		return goja.MustCompile("hookengine:"+strings.TrimSuffix(file, ".js"), wrapperHeader+string(src)+"\n})", true)
	})
	return m
}

// load is the module's sandbox.RuntimeModule.
func (m *jsModule) load(r *sandbox.Runtime, module *goja.Object) {
	vm := r.VM()
	fn, err := vm.RunProgram(m.program())
	if err != nil {
		panic(err)
	}
	call, _ := goja.AssertFunction(fn)
	native := goja.Null()
	if m.native != nil {
		native = m.native(r)
	}
	host := vm.NewObject()
	for k, v := range m.host {
		_ = host.Set(k, v)
	}
	if m.network {
		// The script's own fetch: throttled, guarded and counted per run.
		// Read once, when the module loads, so a script that later replaces
		// the global does not change what the module sends through.
		_ = host.Set("fetch", vm.GlobalObject().Get("fetch"))
	}
	exports := module.Get("exports")
	if _, err := call(goja.Undefined(), exports, r.RequireFunction(), module, native, host); err != nil {
		panic(err)
	}
}

// all lists the modules of this package by name.
var all = map[string]*jsModule{
	"events":      newJSModule("events.js"),
	"querystring": newJSModule("querystring.js"),
	"path":        newJSModule("path.js"),
	"crypto":      withNative(newJSModule("crypto.js"), cryptoNative),
	"http":        withHost(newJSModule("http.js"), map[string]any{"protocol": "http:"}),
	"https":       withHost(newJSModule("http.js"), map[string]any{"protocol": "https:"}),
	"node-fetch":  network(newJSModule("node-fetch.js")),
	"axios":       network(newJSModule("axios.js")),
	"request":     network(newJSModule("request.js")),
	"auth0":       network(newJSModule("auth0.js")),
}

func withNative(m *jsModule, native func(r *sandbox.Runtime) *goja.Object) *jsModule {
	m.native = native
	return m
}

func withHost(m *jsModule, host map[string]any) *jsModule {
	m.host = host
	m.network = true
	return m
}

func network(m *jsModule) *jsModule {
	m.network = true
	return m
}

func init() {
	// http and https share one source, and so one compiled program.
	all["https"].program = all["http"].program
}

// Names returns the names of the modules Register adds, sorted.
func Names() []string {
	names := make([]string, 0, len(all))
	for name := range all {
		names = append(names, name)
	}
	slices.Sort(names)
	return names
}

// Register adds the modules of this package to reg, replacing modules of
// the same names.
func Register(reg *sandbox.Registry) error {
	for _, name := range Names() {
		if err := reg.RegisterRuntimeModule(name, all[name].load); err != nil {
			return fmt.Errorf("modules: %w", err)
		}
	}
	return nil
}

// NewRegistry returns sandbox.NewRegistry's built-in modules (buffer, url,
// util) plus the modules of this package.
func NewRegistry() *sandbox.Registry {
	reg := sandbox.NewRegistry()
	if err := Register(reg); err != nil {
		panic(err) // the names are valid
	}
	return reg
}
