package goja

import "github.com/dop251/goja/unistring"

// objectAndBase is an ordinary object's Object and baseObject, allocated
// together: they always live and die together, and one allocation is
// cheaper than two.
type objectAndBase struct {
	obj  Object
	base baseObject
}

// objectAndArray is an array's Object and arrayObject, allocated together.
type objectAndArray struct {
	obj   Object
	array arrayObject
}

func newObjectAndBase(r *Runtime, proto *Object, class string) *baseObject {
	o := allocObjectAndBase(r, proto, class)
	o.init()
	return o
}

// allocObjectAndBase is newObjectAndBase without the property map.
func allocObjectAndBase(r *Runtime, proto *Object, class string) *baseObject {
	return initObjectAndBase(&objectAndBase{}, r, proto, class)
}

// objectAndBaseNames4 and objectAndBaseNames8 are an object made by
// NewPlainObject with room for its first 4 or 8 property names.
type objectAndBaseNames4 struct {
	objectAndBase
	names [4]unistring.String
}

type objectAndBaseNames8 struct {
	objectAndBase
	names [8]unistring.String
}

func initObjectAndBase(p *objectAndBase, r *Runtime, proto *Object, class string) *baseObject {
	p.obj.runtime = r
	o := &p.base
	o.class = class
	o.val = &p.obj
	o.extensible = true
	o.prototype = proto
	p.obj.self = o
	return o
}

// NewPlainObject returns a new ordinary object (as NewObject does) holding
// the given own properties, in order, each writable, enumerable and
// configurable: what CreateDataProperty makes, as JSON.parse does, without
// consulting the prototype (a "__proto__" key is an own property). A key
// given more than once keeps its first position and its last value. keys
// and values must have the same length and no value may be nil. The slices
// are not kept.
func (r *Runtime) NewPlainObject(keys []string, values []Value) *Object {
	if len(keys) != len(values) {
		panic("goja: NewPlainObject: keys and values differ in length")
	}
	o := newSizedObject(r, len(keys))
	names := o.propNames
	for i, k := range keys {
		v := values[i]
		if v == nil {
			panic("goja: NewPlainObject: nil value")
		}
		name := unistring.NewFromString(k)
		if _, dup := o.values[name]; !dup {
			names = append(names, name)
		}
		o.values[name] = v
	}
	o.propNames = names
	return o.val
}

// NewArrayFromValues returns a new array (as NewArray does) whose elements
// are values, which the array keeps as its storage: the caller must not use
// the slice afterwards. No value may be nil.
func (r *Runtime) NewArrayFromValues(values []Value) *Object {
	for _, v := range values {
		if v == nil {
			panic("goja: NewArrayFromValues: nil value")
		}
	}
	return r.newArrayValues(values)
}

// objectAndNativeFunc is a native function's Object and nativeFuncObject,
// allocated together.
type objectAndNativeFunc struct {
	obj Object
	fn  nativeFuncObject
}

// NewNativeFunction returns a function object that calls call, as
// ToValue(call) does, but named name (its name property, what
// Function.prototype.toString and stack traces show) and with the given
// length property, without looking the Go function's name up.
func (r *Runtime) NewNativeFunction(name string, length int, call func(FunctionCall) Value) *Object {
	p := &objectAndNativeFunc{}
	v := &p.obj
	v.runtime = r
	f := &p.fn
	f.class = classFunction
	f.val = v
	f.extensible = true
	f.prototype = r.getFunctionPrototype()
	f.f = call
	v.self = f
	f.init(unistring.NewFromString(name), intToValue(int64(length)))
	return v
}

// StringValue returns s as a script string, as ToValue(s) does but
// converted at once, and usable in any Runtime (strings are primitives).
func StringValue(s string) String {
	return newStringValue(s)
}

// maxObjectLiteralHint bounds the room an object literal's object is made
// with.
const maxObjectLiteralHint = 64

// newObjectSized makes the object of an object literal with n properties
// (what newObject does), with room for them: its property map and name list
// are not grown one property at a time as the literal fills them.
type newObjectSized uint32

func (n newObjectSized) exec(vm *vm) {
	vm.push(newSizedObject(vm.r, int(n)).val)
	vm.pc++
}

// newSizedObject makes an ordinary object with room for n properties in its
// map and its (empty) name list; small objects hold their name list.
func newSizedObject(r *Runtime, n int) *baseObject {
	var p *objectAndBase
	var names []unistring.String
	switch {
	case n <= 4:
		q := &objectAndBaseNames4{}
		p, names = &q.objectAndBase, q.names[:0:n]
	case n <= 8:
		q := &objectAndBaseNames8{}
		p, names = &q.objectAndBase, q.names[:0:n]
	default:
		p, names = &objectAndBase{}, make([]unistring.String, 0, n)
	}
	o := initObjectAndBase(p, r, r.global.ObjectPrototype, classObject)
	o.values = make(map[unistring.String]Value, n)
	o.propNames = names
	return o
}

// AppendKeys appends what Keys returns to dst and returns the extended
// slice: for a caller that lists the keys of many objects into one reused
// buffer.
func (o *Object) AppendKeys(dst []string) []string {
	if b, ok := o.self.(*baseObject); ok {
		b.ensurePropOrder()
		for _, name := range b.propNames {
			prop := b.values[name]
			if prop == nil {
				continue
			}
			if p, ok := prop.(*valueProperty); ok && !p.enumerable {
				continue
			}
			dst = append(dst, name.String())
		}
		return dst
	}
	return append(dst, o.Keys()...)
}
