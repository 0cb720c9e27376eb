package sandbox

import (
	"fmt"
	"io/fs"
	"maps"
	"path"
	"slices"
	"strings"

	"github.com/dop251/goja"
	"github.com/dop251/goja_nodejs/url"
)

// Module builds a module's exports the first time a runtime requires it: it
// receives the runtime and a fresh module object whose "exports" property
// holds an empty object, and may replace module.exports or add to it. The
// signature matches goja_nodejs's ModuleLoader, so goja_nodejs modules can be
// registered as they are.
//
// A Module runs on the goroutine driving the runtime, inside the script's
// turn; it may throw script exceptions by panicking with a goja value.
type Module func(vm *goja.Runtime, module *goja.Object)

// RuntimeModule is a Module that is given the sandbox Runtime instead of
// only its VM, so it can require other modules (Runtime.Require), make
// named functions (Runtime.Func) or start asynchronous work
// (Runtime.Pending). It runs under the same rules as a Module.
type RuntimeModule func(r *Runtime, module *goja.Object)

// Registry is the set of modules scripts can require: modules registered by
// name and, when SetNodeModules gave it one, the pure-JavaScript packages of
// a node_modules directory. Nothing else can be loaded: require never reads
// the host's file system outside that directory and never exposes the
// process (goja_nodejs's process module copies the whole environment).
//
// Register modules before the Registry is first used by a runtime; after
// that it is read-only and safe for concurrent use.
type Registry struct {
	modules map[string]moduleEntry
	nm      *nodeModules
}

// moduleEntry is either a Module or a built-in that needs the Runtime.
type moduleEntry struct {
	load    Module
	builtin RuntimeModule
}

// NewRegistry returns a registry holding the built-in modules: buffer, url
// and util.
func NewRegistry() *Registry {
	return &Registry{modules: map[string]moduleEntry{
		"buffer": {builtin: (*Runtime).requireBuffer},
		"url":    {load: url.Require},
		"util":   {builtin: (*Runtime).requireUtil},
	}}
}

// Register adds m under name, replacing any module of that name, built-ins
// included. Names follow npm's rules for package names (optionally scoped,
// optionally with a subpath such as "lodash/fp"); a "node:" prefix or a
// version suffix are not part of the name.
func (r *Registry) Register(name string, m Module) error {
	if m == nil {
		return fmt.Errorf("sandbox: module %q: nil Module", name)
	}
	if n, _ := ParseModuleName(name); n != name || name == "" ||
		strings.HasPrefix(name, ".") || strings.HasPrefix(name, "/") {
		return fmt.Errorf("sandbox: invalid module name %q", name)
	}
	r.modules[name] = moduleEntry{load: m}
	return nil
}

// RegisterRuntimeModule is Register for a module that needs the Runtime.
func (r *Registry) RegisterRuntimeModule(name string, m RuntimeModule) error {
	if m == nil {
		return fmt.Errorf("sandbox: module %q: nil RuntimeModule", name)
	}
	if err := r.Register(name, func(*goja.Runtime, *goja.Object) {}); err != nil {
		return err
	}
	r.modules[name] = moduleEntry{builtin: m}
	return nil
}

// SetNodeModules lets require load packages from fsys, whose root is a
// node_modules directory (its entries are package directories such as
// "lodash" and "@scope/pkg"); nil turns it off. Scripts see the directory as
// /node_modules, never its host path, and can read nothing outside it.
//
// require(name) first looks for a registered module of that name, so the
// engine's own modules and Node's core module names never come from fsys.
// Otherwise it resolves the package as Node does for CommonJS: package.json
// "exports" (conditions "require", "node" and "default") or "main", then
// index.js, and .js, .json extensions; files inside a package require each
// other by relative path and their own dependencies from nested
// node_modules. A pinned require('name@range') loads the package only if its
// installed version matches. Packages that need a native addon (a
// binding.gyp, "gypfile", .node files) and ES modules ("type": "module",
// .mjs) are refused with an error saying so, and a module that requires a
// core module the registry lacks (fs, net, child_process...) gets an error
// naming it.
//
// Files are read, and compiled, once per Registry, on first use: fsys must
// not change while runtimes use it. With an *os.Root's FS, symbolic links
// cannot lead out of the directory either.
func (r *Registry) SetNodeModules(fsys fs.FS) {
	if fsys == nil {
		r.nm = nil
		return
	}
	r.nm = newNodeModules(fsys)
}

// Clone returns a copy of r that can be changed independently. It shares
// the node_modules directory, and what was read of it, with r.
func (r *Registry) Clone() *Registry {
	return &Registry{modules: maps.Clone(r.modules), nm: r.nm}
}

// Names returns the registered module names, sorted.
func (r *Registry) Names() []string {
	return slices.Sorted(maps.Keys(r.modules))
}

// Has reports whether require(spec) finds a module.
func (r *Registry) Has(spec string) bool {
	name, _ := ParseModuleName(spec)
	_, ok := r.modules[name]
	return ok
}

// ParseModuleName splits what a script passes to require into the module
// name and the pinned version, if any: "node:url" is "url",
// "ipaddr.js@1.9.0" is "ipaddr.js" at "1.9.0", "@scope/pkg@2" is
// "@scope/pkg" at "2".
func ParseModuleName(spec string) (name, version string) {
	spec = strings.TrimPrefix(spec, "node:")
	rest, scoped := strings.CutPrefix(spec, "@")
	if i := strings.LastIndexByte(rest, '@'); i > 0 {
		// A version pin follows the package name, never a subpath.
		if !strings.Contains(rest[i:], "/") {
			rest, version = rest[:i], rest[i+1:]
		}
	}
	if scoped {
		rest = "@" + rest
	}
	return rest, version
}

// installRequire defines the global require function.
func (r *Runtime) installRequire() error {
	reg := r.cfg.Modules
	if reg == nil {
		reg = defaultRegistry
	}
	f := r.Func("require", func(call goja.FunctionCall) goja.Value {
		spec := call.Argument(0)
		if _, ok := spec.Export().(string); !ok {
			panic(r.vm.NewTypeError("The \"id\" argument must be of type string. Received " + r.Inspect(spec)))
		}
		return r.require(reg, spec.String())
	})
	r.requireFn = f
	return r.vm.Set("require", f)
}

var defaultRegistry = NewRegistry()

// Require returns the exports of a module as the script's require would.
// Call it on the goroutine driving the runtime, during an execution.
func (r *Runtime) Require(spec string) goja.Value {
	reg := r.cfg.Modules
	if reg == nil {
		reg = defaultRegistry
	}
	return r.require(reg, spec)
}

// NodeModules returns the node_modules directory of the runtime's
// Registry (see Registry.SetNodeModules), or nil when it has none. Its root
// is what scripts see as /node_modules.
func (r *Runtime) NodeModules() fs.FS {
	reg := r.cfg.Modules
	if reg == nil || reg.nm == nil {
		return nil
	}
	return reg.nm.fsys
}

func (r *Runtime) require(reg *Registry, spec string) goja.Value {
	return r.requireFrom(reg, spec, "")
}

// requireFrom is require(spec) called by the module in file parent, or by
// the hook script when parent is "".
func (r *Runtime) requireFrom(reg *Registry, spec, parent string) goja.Value {
	if isPathSpec(spec) {
		// The hook script has no files next to it.
		if parent == "" || reg.nm == nil {
			r.throwNotFound(spec, parent, "")
		}
		return r.requirePath(reg, spec, parent)
	}
	name, version := ParseModuleName(spec)
	if _, ok := reg.modules[name]; !ok {
		switch {
		case coreModules[name] || strings.HasPrefix(spec, "node:"):
			if parent != "" {
				r.throwNotFound(spec, parent, fmt.Sprintf("'%s' is a Node.js core module that hooks cannot use (package '%s' needs it)", name, packageName(parent)))
			}
			r.throwNotFound(spec, parent, "")
		case reg.nm != nil && name != "":
			dir := "/"
			if parent != "" {
				dir = path.Dir(parent)
			}
			return r.requirePackage(reg, spec, name, version, dir, parent)
		}
		r.throwNotFound(spec, parent, "")
	}
	if exports, ok := r.modules[name]; ok {
		return exports
	}
	m := reg.modules[name]
	module := r.vm.NewObject()
	exports := r.vm.NewObject()
	_ = module.Set("exports", exports)
	_ = module.Set("id", name)
	// A module requiring itself while loading sees its exports so far, as in
	// Node.
	r.modules[name] = exports
	ok := false
	defer func() {
		if !ok {
			delete(r.modules, name)
		}
	}()
	if m.builtin != nil {
		m.builtin(r, module)
	} else {
		m.load(r.vm, module)
	}
	ok = true
	res := module.Get("exports")
	r.hideGoNames(res)
	r.modules[name] = res
	return res
}
