package jsmodule

import (
	"io/fs"
	"strings"
	"sync"

	"github.com/dop251/goja"

	"github.com/hookengine/hookengine/sandbox"
)

// wrapperHeader opens the function each module's source is compiled into.
// native holds the Go helpers of modules that have some; host holds what
// the engine gives the module (the runtime's fetch, the protocol of
// http/https). The header stays on the first line, so stack traces show the
// source's own line numbers.
const wrapperHeader = "(function (exports, require, module, native, host) {"

// Module is a module written in JavaScript. Set its fields before the first
// runtime loads it; after that it is read-only and safe for concurrent use.
type Module struct {
	program func() *goja.Program
	// Native builds the Go helpers the source calls, if any.
	Native func(r *sandbox.Runtime) *goja.Object
	// Host adds what the module needs from the engine besides fetch.
	Host map[string]any
	// Network modules get the runtime's fetch as host.fetch.
	Network bool
}

// New returns the module whose source is file in fsys; it appears in stack
// traces as hookengine:NAME.
func New(fsys fs.FS, file string) *Module {
	m := &Module{}
	m.program = sync.OnceValue(func() *goja.Program {
		src, err := fs.ReadFile(fsys, file)
		if err != nil {
			panic(err)
		}
		name := strings.TrimSuffix(file[strings.LastIndexByte(file, '/')+1:], ".js")
		return goja.MustCompile("hookengine:"+name, wrapperHeader+string(src)+"\n})", true)
	})
	return m
}

// Share makes m use other's compiled source (http and https share one).
func (m *Module) Share(other *Module) { m.program = other.program }

// Load is the module's sandbox.RuntimeModule.
func (m *Module) Load(r *sandbox.Runtime, module *goja.Object) {
	vm := r.VM()
	fn, err := vm.RunProgram(m.program())
	if err != nil {
		panic(err)
	}
	call, _ := goja.AssertFunction(fn)
	native := goja.Null()
	if m.Native != nil {
		native = m.Native(r)
	}
	host := vm.NewObject()
	for k, v := range m.Host {
		_ = host.Set(k, v)
	}
	if m.Network {
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
