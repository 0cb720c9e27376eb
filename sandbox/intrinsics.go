package sandbox

import (
	"errors"

	"github.com/dop251/goja"
)

// intrinsics are built-ins captured before any script can replace or wrap
// them, so the engine's own serialisation, parsing and promise handling
// cannot be subverted by the scripts it runs. Most are captured on the
// first use of the only property that reaches them (an OnFirstUse hook set
// when the runtime is created), so a runtime does not make them until
// something uses them.
type intrinsics struct {
	jsonParse   goja.Callable // nil until the global JSON is first used
	resolved    goja.Value    // a promise resolved with undefined
	promiseThen goja.Callable
	// errorCtors are the constructors of errorClasses, each captured on
	// the first use of its global (see errorCtorOf).
	errorCtors [len(errorClasses)]*goja.Object
	jsonObj    goja.Value
	objectCtor *goja.Object
	// objectFns are the functions of objectFunctions, each captured on the
	// first use of its property of Object (see objectFn).
	objectFns [len(objectFunctions)]goja.Value
	describe  goja.Callable // Object.getOwnPropertyDescriptor, once used
}

// objectFunctions are the functions of Object the host uses.
var objectFunctions = [...]string{"defineProperty", "getOwnPropertyDescriptor", "getPrototypeOf", "setPrototypeOf"}

const (
	objDefineProperty = iota
	objGetOwnPropertyDescriptor
	objGetPrototypeOf
	objSetPrototypeOf
)

// objectFn returns the original function objectFunctions[i] of Object.
// Scripts reach Object without its global (as the constructor of an
// object) but its functions only through its properties, whose first use
// captures them.
func (r *Runtime) objectFn(i int) goja.Value {
	if r.objectFns[i] == nil {
		r.objectCtor.Get(objectFunctions[i]) // its first use captures it
	}
	return r.objectFns[i]
}

// describeProp calls the original Object.getOwnPropertyDescriptor.
func (r *Runtime) describeProp(o *goja.Object, key string) (goja.Value, error) {
	if r.describe == nil {
		f, ok := goja.AssertFunction(r.objectFn(objGetOwnPropertyDescriptor))
		if !ok {
			return nil, errors.New("sandbox: intrinsic Object.getOwnPropertyDescriptor is not a function")
		}
		r.describe = f
	}
	return r.describe(r.objectCtor, o, r.vm.ToValue(key))
}

func (r *Runtime) captureIntrinsics() error {
	vm := r.vm
	// Captured on first use: JSON.parse (with the global JSON, see
	// installGuards and originalJSONParse), the functions of Object and
	// the error constructors (below). goja's own Promise.prototype.then
	// needs no Promise made.
	r.promiseThen = vm.IntrinsicPromiseThen()
	g := vm.GlobalObject()
	object, ok := g.Get("Object").(*goja.Object)
	if !ok {
		return errors.New("sandbox: intrinsic Object missing")
	}
	r.objectCtor = object
	for i, name := range objectFunctions {
		r.onFirstUse(object, name, func() { r.objectFns[i] = object.Get(name) })
	}
	for i, name := range errorClasses {
		r.onFirstUse(g, name, func() { r.errorCtors[i], _ = g.Get(name).(*goja.Object) })
	}
	return nil
}

// errorClasses are the error classes the host makes errors of.
var errorClasses = [...]string{"Error", "RangeError", "SyntaxError", "TypeError"}

// errorCtorOf returns the original constructor of the error class name
// (one of errorClasses), or nil. Scripts can reach it without the global
// (as the constructor of an error they caught) but not change it: what
// they can replace is the global, whose first use captures it.
func (r *Runtime) errorCtorOf(name string) *goja.Object {
	for i, n := range errorClasses {
		if n == name {
			if r.errorCtors[i] == nil {
				r.vm.GlobalObject().Get(name) // its first use captures it
			}
			return r.errorCtors[i]
		}
	}
	return nil
}

// Stringify serialises v as JSON.stringify does, whatever the script did to
// the global JSON. ok is false when the result is undefined (for undefined,
// functions and symbols); err is the exception it threw (a cycle, a BigInt,
// a throwing toJSON or getter, data nested deeper than MaxNesting). An
// interruption of the execution propagates as a panic, as it does through
// any native.
func (r *Runtime) Stringify(v goja.Value) (s string, ok bool, err error) {
	if exc := r.vm.Try(func() { s, ok = r.stringify(v, goja.Undefined(), goja.Undefined(), false) }); exc != nil {
		return "", false, exc
	}
	return s, ok, nil
}

// ParseJSON parses text with the runtime's original JSON.parse, building
// ordinary script objects. Text nested deeper than MaxNesting is refused.
func (r *Runtime) ParseJSON(text string) (v goja.Value, err error) {
	if v, ok := r.parseJSON(text); ok {
		return v, nil
	}
	// Not JSON (or too deep): let goja's parser say why, as JSON.parse would.
	if exc := r.vm.Try(func() { r.checkJSONNesting(text) }); exc != nil {
		return nil, exc
	}
	return r.originalJSONParse(text)
}

// originalJSONParse calls the runtime's original JSON.parse on text. It is
// captured on the first use of the global JSON, which this makes if no
// script has.
func (r *Runtime) originalJSONParse(text string) (goja.Value, error) {
	if r.jsonParse == nil {
		if exc := r.vm.Try(func() { r.vm.GlobalObject().Get("JSON") }); exc != nil {
			return nil, exc
		}
		if r.jsonParse == nil {
			return nil, errors.New("sandbox: intrinsic JSON.parse missing")
		}
	}
	return r.jsonParse(r.jsonObj, r.vm.ToValue(text))
}

// Then attaches reactions to a promise (or any thenable) with the original
// Promise.prototype.then. Either function may be nil. Attaching a rejection
// reaction marks the promise as handled.
func (r *Runtime) Then(promise goja.Value, onFulfilled, onRejected func(goja.Value)) error {
	wrap := func(f func(goja.Value)) goja.Value {
		if f == nil {
			return goja.Undefined()
		}
		return r.Func("", func(call goja.FunctionCall) goja.Value {
			f(call.Argument(0))
			return goja.Undefined()
		})
	}
	_, err := r.promiseThen(promise, wrap(onFulfilled), wrap(onRejected))
	return err
}

// NewError creates an Error with the runtime's original Error constructor,
// so it carries a stack captured where the script currently is.
func (r *Runtime) NewError(message string) (*goja.Object, error) {
	return r.vm.New(r.errorCtorOf("Error"), r.vm.ToValue(message))
}

// IsError reports whether v is an Error object (an instance of Error or of
// any subclass, including those of other realms).
func IsError(v goja.Value) bool {
	o, ok := v.(*goja.Object)
	return ok && o.ClassName() == "Error"
}

// accessorKind returns "[Getter]", "[Setter]" or "[Getter/Setter]" for an
// accessor property of obj and "" for a data property.
func (r *Runtime) accessorKind(obj *goja.Object, key string) string {
	d, err := r.describeProp(obj, key)
	if err != nil {
		return ""
	}
	desc, ok := d.(*goja.Object)
	if !ok {
		return ""
	}
	get, set := desc.Get("get"), desc.Get("set")
	hasGet := get != nil && !goja.IsUndefined(get)
	hasSet := set != nil && !goja.IsUndefined(set)
	switch {
	case hasGet && hasSet:
		return "[Getter/Setter]"
	case hasGet:
		return "[Getter]"
	case hasSet:
		return "[Setter]"
	}
	return ""
}

// Throw panics with a JavaScript Error carrying message, to be used in host
// functions: the script sees an ordinary exception it can catch.
func (r *Runtime) Throw(message string) {
	e, err := r.NewError(message)
	if err != nil {
		panic(r.vm.NewGoError(errors.New(message)))
	}
	panic(e)
}

// Func makes fn a script function named name (shown in stack traces and as
// its name property; goja would otherwise show the Go function's name).
func (r *Runtime) Func(name string, fn func(goja.FunctionCall) goja.Value) *goja.Object {
	return r.vm.NewNativeFunction(name, 0, fn)
}
