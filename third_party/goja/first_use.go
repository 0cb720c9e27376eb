package goja

import "github.com/dop251/goja/unistring"

// OnFirstUse arranges for f to run the first time the own property name of
// o is created. goja creates the properties of most built-in objects (the
// global object, the prototypes, JSON, Reflect, ...) lazily, from templates
// shared by every Runtime, the first time a property is read, described,
// redefined, deleted or its value listed. f runs right after the property
// has been created with its original value, and before that use goes on:
// it may read the property and redefine or delete it, and the use then sees
// what f left. So an embedder can wrap or replace a built-in without
// creating it in every Runtime that never touches it.
//
// It reports false, and does nothing, when o is not such an object, name
// is not one of its template properties, or the property has already been
// created: the caller must then do what f does at once. f runs at most
// once. Call it only on the goroutine that drives the Runtime.
func (o *Object) OnFirstUse(name string, f func()) bool {
	t := o.templated()
	if t == nil {
		return false
	}
	p := unistring.NewFromString(name)
	if t.factory(p) == nil {
		return false
	}
	if _, created := t.values[p]; created {
		return false
	}
	if t.firstUse == nil {
		t.firstUse = make(map[unistring.String]func())
	}
	t.firstUse[p] = f
	return true
}

// OnFirstUseSymbol is OnFirstUse for a symbol-keyed property. goja creates
// the symbol-keyed properties of a templated object all at once, on the
// first use of any of them.
func (o *Object) OnFirstUseSymbol(s *Symbol, f func()) bool {
	t := o.templated()
	if t == nil || t.symValues != nil || t.tmpl.symProps[s] == nil {
		return false
	}
	if t.firstUseSym == nil {
		t.firstUseSym = make(map[*Symbol]func())
	}
	t.firstUseSym[s] = f
	return true
}

// templated returns o's templatedObject, or nil.
func (o *Object) templated() *templatedObject {
	switch t := o.self.(type) {
	case *templatedObject:
		return t
	case *templatedFuncObject:
		return &t.templatedObject
	case *templatedArrayObject:
		return &t.templatedObject
	}
	return nil
}

// DefineLazyProperty defines the own property name of o as a data property,
// writable, enumerable and configurable, whose value f makes the first
// time the property is used, as goja does for the properties of its
// built-ins: a read, a description, a listing of values, a redefinition or
// a deletion. Until then it is listed among o's keys, in the order of
// definition, like one defined at once. It is meant for the global object,
// whose built-in properties are created that way: only such objects take
// it. It reports false, and does nothing, for any other object or when o
// already has a property name. f must not panic. Call it only on the
// goroutine that drives the Runtime.
func (o *Object) DefineLazyProperty(name string, f func() Value) bool {
	return o.defineLazy(name, func(*Runtime) Value { return f() })
}

// DefineLazyDataProperty is DefineLazyProperty for a data property with the
// given attributes (FLAG_TRUE or FLAG_FALSE; FLAG_NOT_SET is false), in
// DefineDataProperty's order: a property that is not enumerable is not
// listed by Object.keys, for...in and the like (which, as for the
// built-ins' properties, make it all the same).
func (o *Object) DefineLazyDataProperty(name string, f func() Value, writable, configurable, enumerable Flag) bool {
	w, c, e := writable.Bool(), configurable.Bool(), enumerable.Bool()
	if w && e && c {
		return o.DefineLazyProperty(name, f)
	}
	return o.defineLazy(name, func(*Runtime) Value { return valueProp(f(), w, e, c) })
}

// DefineLazyAccessorProperty is DefineLazyProperty for an accessor
// property: f makes its getter and setter (either may be nil) on the
// property's first use, as DefineAccessorProperty would define them then.
func (o *Object) DefineLazyAccessorProperty(name string, f func() (getter, setter *Object), configurable, enumerable Flag) bool {
	c, e := configurable.Bool(), enumerable.Bool()
	return o.defineLazy(name, func(*Runtime) Value {
		get, set := f()
		return &valueProperty{accessor: true, getterFunc: get, setterFunc: set, configurable: c, enumerable: e}
	})
}

func (o *Object) defineLazy(name string, f templatePropFactory) bool {
	t := o.templated()
	if t == nil || !t.extensible {
		return false
	}
	p := unistring.NewFromString(name)
	if _, deleted := t.values[p]; deleted || t.hasOwnPropertyStr(p) {
		return false
	}
	if t.lazy == nil {
		t.lazy = make(map[unistring.String]templatePropFactory)
	}
	t.lazy[p] = f
	if t.propNames != nil {
		names := copyNamesIfNeeded(t.propNames, 1)
		t.propNames = append(names, p)
	} else {
		t.lazyNames = append(t.lazyNames, p)
	}
	return true
}
