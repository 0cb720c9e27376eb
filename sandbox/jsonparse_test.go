package sandbox

import (
	"context"
	"strings"
	"testing"

	"github.com/dop251/goja"
)

// sameAsGoja parses text with both parsers and reports a difference: in
// acceptance, or in the value as serialised with keys in their order.
func sameAsGoja(t *testing.T, r *Runtime, text string) {
	t.Helper()
	ours, ok := r.parseJSON(text)
	theirs, err := r.originalJSONParse(text)
	if ok && err != nil && strings.Contains(err.Error(), "cannot unmarshal number") {
		// goja refuses numbers out of float64's range; JSON.parse (and
		// ours) gives ±Infinity, as Node does.
		return
	}
	if ok != (err == nil) {
		t.Fatalf("%q: ours accepted=%v, goja's error=%v", text, ok, err)
	}
	if !ok {
		return
	}
	a, _, errA := r.Stringify(ours)
	b, _, errB := r.Stringify(theirs)
	if errA != nil || errB != nil || a != b {
		t.Fatalf("%q: ours %s (%v), goja's %s (%v)", text, a, errA, b, errB)
	}
	// Same shapes too: prototypes, own keys in order, descriptors.
	if same := r.vm.Get("__sameShape"); same == nil || goja.IsUndefined(same) {
		if _, err := r.vm.RunString(sameShapeJS); err != nil {
			t.Fatal(err)
		}
	}
	fn, _ := goja.AssertFunction(r.vm.Get("__sameShape"))
	if res, err := fn(goja.Undefined(), ours, theirs); err != nil || res.String() != "" {
		t.Fatalf("%q: shapes differ: %v %v", text, res, err)
	}
	// -0 survives as -0.
	if strings.TrimSpace(text) == "-0" && !(ours.ToFloat() == 0 && 1/ours.ToFloat() < 0) {
		t.Fatalf("-0 lost its sign")
	}
}

// sameShapeJS defines __sameShape(a, b): "" when a and b have the same
// prototypes, own keys in order and property descriptors all the way down,
// else where they first differ.
const sameShapeJS = `function __sameShape(a, b, path) {
	path = path || "$";
	if (typeof a !== typeof b) return path + ": typeof";
	if (a === null || typeof a !== "object") return Object.is(a, b) ? "" : path + ": value";
	if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return path + ": prototype";
	if (Array.isArray(a) !== Array.isArray(b) || Object.isExtensible(a) !== Object.isExtensible(b)) return path + ": kind";
	var ka = Reflect.ownKeys(a), kb = Reflect.ownKeys(b);
	if (ka.length !== kb.length) return path + ": key count";
	for (var i = 0; i < ka.length; i++) {
		if (ka[i] !== kb[i]) return path + ": key " + i;
		var da = Object.getOwnPropertyDescriptor(a, ka[i]), db = Object.getOwnPropertyDescriptor(b, kb[i]);
		if (da.writable !== db.writable || da.enumerable !== db.enumerable || da.configurable !== db.configurable) return path + "." + String(ka[i]) + ": descriptor";
		var d = __sameShape(da.value, db.value, path + "." + String(ka[i]));
		if (d) return d;
	}
	return "";
}`

func parserRuntime(t testing.TB) *Runtime {
	r, err := New(nil)
	if err != nil {
		t.Fatal(err)
	}
	r.Begin(context.Background(), Limits{}, nil)
	t.Cleanup(func() { r.End() })
	return r
}

func TestParseJSONMatchesGoja(t *testing.T) {
	r := parserRuntime(t)
	for _, text := range []string{
		`{}`, `[]`, ` {"a" : [1, -2, 3.5, -0.25e-3, 1E3, 0, -0] } `, `"plain"`, `"esc\"\\\/\b\f\n\r\t"`,
		`"\u00e9\u20ac\ud83d\ude00"`, `"\ud800"`, `"\udc00\ud800x"`, `"é😀"`, `{"a":1,"a":2,"b":3}`,
		`{"__proto__":{"x":1},"y":2}`, `[true,false,null]`, `1e400`, `-1e400`, `123456789012345678901234567890`,
		`9007199254740993`, `0.1`, `-0`, `{"":""}`, `[[[[]]]]`,
		// Not JSON.
		``, ` `, `{`, `[1,]`, `{"a":1,}`, `01`, `1.`, `.5`, `+1`, `1e`, `NaN`, `undefined`, `'x'`, `"\x"`, `"\u12"`,
		"\"tab\there\"", `{a:1}`, `[1 2]`, `tru`, `nulll`, `"unterminated`, `{"a" 1}`, `1 2`,
	} {
		sameAsGoja(t, r, text)
	}
}

func TestParseJSONDepth(t *testing.T) {
	r := parserRuntime(t)
	if _, ok := r.parseJSON(strings.Repeat("[", MaxNesting) + strings.Repeat("]", MaxNesting)); !ok {
		t.Errorf("nesting at the bound refused")
	}
	if _, ok := r.parseJSON(strings.Repeat("[", MaxNesting+1) + strings.Repeat("]", MaxNesting+1)); ok {
		t.Errorf("nesting past the bound accepted")
	}
	if _, err := r.ParseJSON(strings.Repeat(`{"a":`, MaxNesting+1) + "1" + strings.Repeat("}", MaxNesting+1)); err == nil {
		t.Errorf("ParseJSON accepted nesting past the bound")
	}
}

func FuzzParseJSON(f *testing.F) {
	for _, seed := range []string{`{"a":[1,2,{"b":null}]}`, `"\ud83d\ude00"`, `-0`, `1e-400`, `[1,]`, `{"__proto__":1}`} {
		f.Add(seed)
	}
	r := parserRuntime(f)
	f.Fuzz(func(t *testing.T, text string) {
		if strings.Count(text, "[")+strings.Count(text, "{") > MaxNesting/2 {
			return // goja's recursive parser is what the depth bound protects
		}
		err := r.Do(func(*goja.Runtime) error {
			sameAsGoja(t, r, text)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}

// JSON.parse creates own data properties (CreateDataProperty), as Node
// does, even where Object.prototype has a setter or a read-only property of
// the same name: the setter is not called and the property is not dropped.
func TestParseJSONIgnoresPrototypeSetters(t *testing.T) {
	r := parserRuntime(t)
	err := r.Do(func(vm *goja.Runtime) error {
		v, err := vm.RunString(`var calls = 0;
		Object.defineProperty(Object.prototype, "x", {set: function (v) { calls++; }, get: function () { return "inherited"; }, configurable: true});
		Object.defineProperty(Object.prototype, "ro", {value: 1, writable: false, configurable: true});
		var o = JSON.parse('{"x":1,"ro":2}');
		var res = [calls, Object.keys(o).join(), o.x, o.ro].join("|");
		delete Object.prototype.x; delete Object.prototype.ro;
		res`)
		if err != nil {
			return err
		}
		if got, want := v.String(), "0|x,ro|1|2"; got != want {
			t.Errorf("got %s, want %s", got, want)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
