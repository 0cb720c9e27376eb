package sandbox_test

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/dop251/goja"
)

func TestInspect(t *testing.T) {
	hundredAndOne := "[ " + strings.Repeat("0, ", 100) + "... 1 more item ]"
	hundredAndFive := "[ " + strings.Repeat("0, ", 100) + "... 5 more items ]"
	tests := []struct {
		desc string
		src  string // an expression
		want string
	}{
		{"string at the top level", `'plain'`, "plain"},
		{"string inside an array", `['a\nb', "it's", 'say "hi"']`, `[ 'a\nb', "it's", 'say "hi"' ]`},
		{"integer", `42`, "42"},
		{"float", `1.5`, "1.5"},
		{"negative zero", `-0`, "-0"},
		{"negative zero inside", `[-0, 0]`, "[ -0, 0 ]"},
		{"NaN and Infinity", `[NaN, -Infinity]`, "[ NaN, -Infinity ]"},
		{"bigint", `10n ** 20n`, "100000000000000000000n"},
		{"booleans", `[true, false]`, "[ true, false ]"},
		{"null", `null`, "null"},
		{"undefined", `undefined`, "undefined"},
		{"symbol", `Symbol('s')`, "Symbol(s)"},
		{"symbol inside", `({s: Symbol()})`, "{ s: Symbol() }"},
		{"empty object", `({})`, "{}"},
		{"empty array", `[]`, "[]"},
		{"nested within the depth", `({a: {b: {c: 1}}})`, "{ a: { b: { c: 1 } } }"},
		{"nested beyond depth 2", `({a: {b: {c: {d: 1}}}})`, "{ a: { b: { c: [Object] } } }"},
		{"arrays beyond depth 2", `[1, [2, [3, [4]]]]`, "[ 1, [ 2, [ 3, [Array] ] ] ]"},
		{"empty object beyond depth 2", `({a: {b: {c: {}}}})`, "{ a: { b: { c: {} } } }"},
		{"array", `[1, 'two', [3]]`, "[ 1, 'two', [ 3 ] ]"},
		{"101 items", `new Array(101).fill(0)`, hundredAndOne},
		{"105 items", `new Array(105).fill(0)`, hundredAndFive},
		{"circular", `(() => { const a = {x: 1}; a.self = a; return a })()`, "{ x: 1, self: [Circular] }"},
		{"circular through an array", `(() => { const a = [1]; a.push({back: a}); return a })()`, "[ 1, { back: [Circular] } ]"},
		{"shared but not circular", `(() => { const s = {v: 1}; return {a: s, b: s} })()`, "{ a: { v: 1 }, b: { v: 1 } }"},
		{"Map", `new Map([['a', 1], [2, {b: true}]])`, "Map(2) { 'a' => 1, 2 => { b: true } }"},
		{"empty Map", `new Map()`, "Map(0) {}"},
		{"Set", `new Set([1, 'x', 1])`, "Set(2) { 1, 'x' }"},
		{"function", `(function named() {})`, "[Function: named]"},
		{"arrow function", `(() => {})`, "[Function (anonymous)]"},
		{"function inside", `({f() {}})`, "{ f: [Function: f] }"},
		{"class instance", `(() => { class Point { constructor() { this.x = 1; this.y = 2 } } return new Point() })()`, "Point { x: 1, y: 2 }"},
		{"empty class instance", `(() => { class Empty {} return new Empty() })()`, "Empty {}"},
		{"class instance beyond depth 2", `(() => { class Deep { constructor() { this.v = 1 } } return {a: {b: {c: new Deep()}}} })()`, "{ a: { b: { c: [Deep] } } }"},
		{"null prototype", `Object.assign(Object.create(null), {a: 1})`, "[Object: null prototype] { a: 1 }"},
		{"empty null prototype", `Object.create(null)`, "[Object: null prototype] {}"},
		{"quoted keys", `({'x-y': 1, 'it\'s': 2, $ok: 3, _u: 4, '': 5})`, `{ 'x-y': 1, "it's": 2, $ok: 3, _u: 4, '': 5 }`},
		{"numeric keys", `({1: 'one', a: 'a'})`, "{ '1': 'one', a: 'a' }"},
		{"getters and setters are not called", `({get g() { throw new Error('called') }, set s(v) {}, get gs() { return 1 }, set gs(v) {}})`, "{ g: [Getter], s: [Setter], gs: [Getter/Setter] }"},
		{"date", `new Date(0)`, "1970-01-01T00:00:00.000Z"},
		{"invalid date", `new Date(NaN)`, "Invalid Date"},
		{"regexp", `/a+b/gi`, "/a+b/gi"},
		{"resolved promise", `Promise.resolve({a: 1})`, "Promise { { a: 1 } }"},
		{"pending promise", `new Promise(() => {})`, "Promise { <pending> }"},
		{"rejected promise", `(() => { const p = Promise.reject(3); p.catch(() => {}); return p })()`, "Promise { <rejected> 3 }"},
		{"undefined inside", `({u: undefined, n: null})`, "{ u: undefined, n: null }"},
	}
	rt := newRuntime(t, nil)
	begin(t, rt, context.Background(), roomy, nil)
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			var got string
			err := rt.Do(func(vm *goja.Runtime) error {
				v, err := vm.RunString("(" + tt.src + ")")
				if err != nil {
					return err
				}
				got = rt.Inspect(v)
				return nil
			})
			if err != nil {
				t.Fatalf("Do: got %v, want nil", err)
			}
			if got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestInspectError(t *testing.T) {
	rt := newRuntime(t, nil)
	begin(t, rt, context.Background(), roomy, nil)
	tests := []struct {
		src, wantPrefix string
	}{
		{`new Error('boom')`, "Error: boom\n"},
		{`new TypeError('bad type')`, "TypeError: bad type\n"},
	}
	for _, tt := range tests {
		t.Run(tt.src, func(t *testing.T) {
			var got string
			err := rt.Do(func(vm *goja.Runtime) error {
				v, err := vm.RunScript("errors.js", "\n"+tt.src)
				got = rt.Inspect(v)
				return err
			})
			if err != nil {
				t.Fatalf("Do: got %v, want nil", err)
			}
			// The stack names where the error was made.
			if !strings.HasPrefix(got, tt.wantPrefix) || !strings.Contains(got, "at ") || !strings.Contains(got, "errors.js:2:") {
				t.Errorf("got %q, want %q followed by a stack through errors.js:2", got, tt.wantPrefix)
			}
		})
	}
}

func TestFormat(t *testing.T) {
	tests := []struct {
		desc string
		args string // a JavaScript array of the arguments
		want string
	}{
		{"no arguments", `[]`, ""},
		{"strings as they are", `['a', 'b c']`, "a b c"},
		{"mixed values", `['n', 1, {a: 'x'}, [1], null, undefined]`, "n 1 { a: 'x' } [ 1 ] null undefined"},
		{"leading non-string", `[1, 'b', {c: 2}]`, "1 b { c: 2 }"},
		{"leading symbol is not a format", `[Symbol('%s'), 'x']`, "Symbol(%s) x"},
		{"%s string", `['<%s>', 'str']`, "<str>"},
		{"%s number and -0", `['%s %s', 42, -0]`, "42 -0"},
		{"%s bigint", `['%s', 5n]`, "5n"},
		{"%s symbol", `['%s', Symbol('y')]`, "Symbol(y)"},
		{"%s null and undefined", `['%s %s', null, undefined]`, "null undefined"},
		{"%s object shows one level", `['%s', {a: {b: 1}, c: 2}]`, "{ a: [Object], c: 2 }"},
		{"%d", `['%d', 42.5]`, "42.5"},
		{"%d string", `['%d', '42']`, "42"},
		{"%d bigint", `['%d', 10n]`, "10n"},
		{"%d object", `['%d', {}]`, "NaN"},
		{"%d -0", `['%d', -0]`, "-0"},
		{"%i truncates", `['%i %i', 42.9, -3.7]`, "42 -3"},
		{"%i not a number", `['%i', 'x']`, "NaN"},
		{"%f", `['%f', '1.5']`, "1.5"},
		{"%f not a number", `['%f', 'abc']`, "NaN"},
		{"%j", `['%j', {a: [1, 'x']}]`, `{"a":[1,"x"]}`},
		{"%j circular", `['%j', (() => { const a = {}; a.a = a; return a })()]`, "[Circular]"},
		{"%j undefined", `['%j', undefined]`, "undefined"},
		{"%o", `['%o', {b: 2}]`, "{ b: 2 }"},
		{"%O", `['%O', [1, {c: 3}]]`, "[ 1, { c: 3 } ]"},
		{"%c is dropped", `['%cred', 'color: red']`, "red"},
		{"%% is a percent sign", `['100%% %s', 'sure']`, "100% sure"},
		{"lone percent", `['100%']`, "100%"},
		{"unknown directive", `['%x %s', 1]`, "%x 1"},
		{"directive without an argument", `['%s and %d']`, "%s and %d"},
		{"fewer arguments than directives", `['%s and %d', 'a']`, "a and %d"},
		{"extra arguments", `['%s:', 'a', 'extra', 3, {k: 1}]`, "a: extra 3 { k: 1 }"},
		{"all directives", `['%s %d %i %f %j %o %O %c%%', 'str', 42.5, 42.5, '1.5', {a: 1}, {b: 2}, {c: 3}, 'css']`, `str 42.5 42 1.5 {"a":1} { b: 2 } { c: 3 } %`},
	}
	rt := newRuntime(t, nil)
	begin(t, rt, context.Background(), roomy, nil)
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			var got string
			err := rt.Do(func(vm *goja.Runtime) error {
				v, err := vm.RunString(tt.args)
				if err != nil {
					return err
				}
				arr := v.(*goja.Object)
				args := make([]goja.Value, arr.Get("length").ToInteger())
				for i := range args {
					args[i] = arr.Get(strconv.Itoa(i))
				}
				got = rt.Format(args)
				return nil
			})
			if err != nil {
				t.Fatalf("Do: got %v, want nil", err)
			}
			if got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestFormatBoundsItsOutput(t *testing.T) {
	rt := newRuntime(t, nil)
	begin(t, rt, context.Background(), roomy, nil)
	var got string
	err := rt.Do(func(vm *goja.Runtime) error {
		v, err := vm.RunString(`Array.from({length: 100}, () => 'x'.repeat(1000))`)
		got = rt.Format([]goja.Value{v, vm.ToValue(strings.Repeat("y", 100000))})
		return err
	})
	if err != nil {
		t.Fatalf("Do: got %v, want nil", err)
	}
	if len(got) > 20<<10 {
		t.Errorf("got %d bytes, want at most about 16 KiB", len(got))
	}
	if !strings.HasSuffix(got, "…") {
		t.Errorf("got %q at the end, want an ellipsis", got[len(got)-10:])
	}
}
