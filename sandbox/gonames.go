package sandbox

import (
	"strings"

	"github.com/dop251/goja"
)

// goSymbol reports whether name is what goja names a function made from a
// Go func value: its Go symbol, such as
// "github.com/dop251/goja_nodejs/url.(*urlModule).createURLConstructor.func1"
// or "....(*Buffer).readInt8-fm". A JavaScript function's name has no such
// shape (a dot inside a name with no space, a slash, "(*" or "-fm").
func goSymbol(name string) bool {
	if strings.ContainsAny(name, " ") || !strings.Contains(name, ".") {
		return false
	}
	return strings.Contains(name, "/") || strings.Contains(name, ".(") || strings.HasSuffix(name, "-fm") ||
		strings.Contains(name, ".func")
}

// hideGoNames renames the functions of a module's exports that goja named
// after their Go symbols, which would show the engine's dependencies (and
// their Go types) to scripts through fn.name, String(fn) and stack traces:
// each gets the name of the property that holds it, as a built-in of Node
// has ("URL", "append", "get host"). It looks at the exports, their
// properties and the properties of those (statics, prototypes and their
// accessors), once per module and runtime, with the Go API and the captured
// Object.getOwnPropertyDescriptor, so nothing a script did to the built-ins
// changes what it does.
func (r *Runtime) hideGoNames(exports goja.Value) {
	seen := make(map[*goja.Object]bool)
	_ = r.vm.Try(func() { r.hideGoNamesIn(exports, 2, seen) })
}

func (r *Runtime) hideGoNamesIn(v goja.Value, depth int, seen map[*goja.Object]bool) {
	o, ok := v.(*goja.Object)
	if !ok || seen[o] {
		return
	}
	seen[o] = true
	for _, key := range o.GetOwnPropertyNames() {
		d, err := r.describeProp(o, key)
		desc, ok := d.(*goja.Object)
		if err != nil || !ok {
			continue
		}
		for _, part := range [...]struct{ field, prefix string }{{"value", ""}, {"get", "get "}, {"set", "set "}} {
			f, ok := desc.Get(part.field).(*goja.Object)
			if !ok {
				continue
			}
			if _, callable := goja.AssertFunction(f); callable {
				if name := f.Get("name"); name != nil && goSymbol(name.String()) {
					_ = f.DefineDataProperty("name", r.vm.ToValue(part.prefix+key), goja.FLAG_FALSE, goja.FLAG_FALSE, goja.FLAG_TRUE)
				}
			}
			if part.field == "value" && depth > 0 && key != "constructor" {
				r.hideGoNamesIn(f, depth-1, seen)
			}
		}
	}
}
