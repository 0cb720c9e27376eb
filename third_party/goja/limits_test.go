package goja

import (
	"strings"

	"github.com/dlclark/regexp2/v2"
	"golang.org/x/text/cases"
	"golang.org/x/text/language"
	"golang.org/x/text/unicode/norm"
	"testing"
	"time"
)

// limitsRuntime returns a runtime with every size limit set and a counter of the callback's calls.
func limitsRuntime(bits, str, arr int) (*Runtime, map[SizeLimit]int) {
	r := New()
	r.SetMaxBigIntBits(bits)
	r.SetMaxStringLength(str)
	r.SetMaxArrayLength(arr)
	calls := make(map[SizeLimit]int)
	r.SetSizeLimitCallback(func(l SizeLimit) { calls[l]++ })
	return r, calls
}

func TestSizeLimits(t *testing.T) {
	tests := []struct {
		name  string
		src   string
		limit SizeLimit // 0: the script must run and return want
		want  string
	}{
		{"bigint exp", `10n ** 100000000n`, SizeLimitBigInt, ""},
		{"bigint exp small", `String(10n ** 100n)`, 0, "1" + strings.Repeat("0", 100)},
		{"bigint exp unit bases", `String([0n ** 10000000000n, 1n ** 10000000000n, (-1n) ** 10000000001n, 12345n ** 0n])`, 0, "0,1,-1,1"},
		{"bigint exp just over", `let x = 2n; x ** 4096n`, SizeLimitBigInt, ""},
		{"bigint exp just under", `let x = 2n; String((x ** 4095n).toString(2).length)`, 0, "4096"},
		{"bigint shl", `1n << 10000000000n`, SizeLimitBigInt, ""},
		{"bigint shl huge count", `1n << (2n ** 64n + 1n)`, SizeLimitBigInt, ""},
		{"bigint shr huge count", `String([5n >> 10000000000n, -5n >> 10000000000n, 0n << 10000000000n])`, 0, "0,-1,0"},
		{"bigint sar negative", `1n >> -10000000000n`, SizeLimitBigInt, ""},
		{"bigint mul", `let x = 2n; x = x ** 3000n; x * x`, SizeLimitBigInt, ""},
		{"bigint add grows", `let x = 2n; x = x ** 4095n; x + x`, SizeLimitBigInt, ""},
		{"bigint parse", `BigInt("9".repeat(5000))`, SizeLimitBigInt, ""},
		{"bigint parse object", `BigInt({ valueOf() { return "9".repeat(5000); } })`, SizeLimitBigInt, ""},
		{"bigint parse leading zeros", `String(BigInt("0".repeat(100000) + "7"))`, 0, "7"},
		{"bigint asUintN", `BigInt.asUintN(2 ** 53 - 1, -1n)`, SizeLimitBigInt, ""},
		{"bigint asUintN in range", `String([BigInt.asUintN(2 ** 53 - 1, 5n), BigInt.asIntN(2 ** 53 - 1, -5n), BigInt.asUintN(8, -1n), BigInt.asIntN(8, 255n)])`, 0, "5,-5,255,-1"},
		{"bigint literal in eval", `eval("9".repeat(5000) + "n")`, 0, "SyntaxError"},
		{"bigint compare huge string", `String(["9".repeat(100000) == 1n, 1n < "9".repeat(100000), "-" + "9".repeat(100000) < 1n, "9".repeat(100000) + "x" < 1n])`, 0, "false,true,true,false"},
		{"bigint typed array", `const a = new BigInt64Array(1); a[0] = "9".repeat(5000)`, SizeLimitBigInt, ""},
		{"string concat", `let s = "x"; for (;;) s = s + s`, SizeLimitString, ""},
		{"string concat unicode", `let s = "\u00e9"; for (;;) s += s`, SizeLimitString, ""},
		{"string template", `let s = "x".repeat(600); ` + "`${s}${s}`", SizeLimitString, ""},
		{"string repeat", `"ab".repeat(1e9)`, SizeLimitString, ""},
		{"string pad", `"a".padStart(2 ** 30)`, SizeLimitString, ""},
		{"string concat method", `let s = "x".repeat(600); s.concat(s)`, SizeLimitString, ""},
		{"string join", `new Array(2000).join("x")`, SizeLimitString, ""},
		{"string join big parts", `let s = "x".repeat(600); [s, s].join("")`, SizeLimitString, ""},
		{"string replace", `"x".repeat(1000).replace(/x/g, "$&$&")`, SizeLimitString, ""},
		{"string replaceAll", `"x".repeat(1000).replaceAll("x", "$&$&")`, SizeLimitString, ""},
		{"string raw", `String.raw({ raw: { length: 1000 } }, "xx")`, SizeLimitString, ""},
		{"string upper", `"\u00df".repeat(600).toUpperCase()`, SizeLimitString, ""},
		{"string encodeURIComponent", `encodeURIComponent("\u00e9".repeat(300))`, SizeLimitString, ""},
		{"string under limit", `String("x".repeat(1024).length)`, 0, "1024"},
		{"array lying length", `let n = 0; const o = { get length() { return n++ ? 2 ** 32 - 1 : 1; } }; o.length; Array.prototype.sort.call(o)`, SizeLimitArray, ""},
		{"array slice", `Array.prototype.slice.call({ length: 2 ** 32 - 1 })`, SizeLimitArray, ""},
		{"array reverse", `Array.prototype.reverse.call({ length: 2 ** 32 - 1 })`, SizeLimitArray, ""},
		{"array from", `Array.from({ length: 2 ** 32 - 1 })`, SizeLimitArray, ""},
		{"array from string", `Array.from("x".repeat(1000))`, SizeLimitArray, ""},
		{"array spread string", `[..."x".repeat(1000)]`, SizeLimitArray, ""},
		{"array split", `"x".repeat(1000).split("")`, SizeLimitArray, ""},
		{"array concat spreadable", `const o = { length: 2 ** 40, [Symbol.isConcatSpreadable]: true }; [].concat(o)`, SizeLimitArray, ""},
		{"array apply", `Math.max.apply(null, { length: 2 ** 32 - 1 })`, SizeLimitArray, ""},
		{"array assign string", `Object.assign({}, "x".repeat(1000))`, SizeLimitArray, ""},
		{"array typed from array-like", `new Uint8Array({ length: 2 ** 32 - 1 })`, SizeLimitArray, ""},
		{"array typed from iterable", `Uint8Array.from({ *[Symbol.iterator]() { for (;;) yield 1; } })`, SizeLimitArray, ""},
		{"array typed keys", `Object.keys(new Uint8Array(1000))`, SizeLimitArray, ""},
		{"array json replacer", `JSON.stringify({}, new Proxy([], { get(t, k) { return k === "length" ? 2 ** 40 : t[k]; } }))`, SizeLimitArray, ""},
		{"array proxy ownKeys", `Object.keys(new Proxy({}, { ownKeys() { return { length: 2 ** 40, get 0() { return "a"; } }; } }))`, SizeLimitArray, ""},
		{"array typed from static", `Uint8Array.from({ length: 2 ** 32 - 1 })`, SizeLimitArray, ""},
		{"array under limit", `String([3, 1, 2].sort())`, 0, "1,2,3"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			// Only the limit under test is small, so that the others do not fire first.
			bits, str, arr := 4096, 1<<20, 1<<20
			switch tc.limit {
			case SizeLimitString:
				str = 1024
			case SizeLimitArray:
				arr = 512
			case 0:
				arr = 512
			}
			r, calls := limitsRuntime(bits, str, arr)
			start := time.Now()
			v, err := r.RunString(tc.src)
			if took := time.Since(start); took > 2*time.Second {
				t.Errorf("took %v", took)
			}
			if tc.limit == 0 {
				if err != nil {
					if ex, ok := err.(*Exception); ok && tc.want != "" && strings.Contains(ex.Error(), tc.want) {
						return
					}
					t.Fatal(err)
				}
				if got := v.String(); got != tc.want {
					t.Fatalf("got %q, want %q", got, tc.want)
				}
				return
			}
			ex, ok := err.(*Exception)
			if !ok {
				t.Fatalf("err = %v (%T), want a RangeError", err, err)
			}
			if name := ex.Value().ToObject(r).Get("name").String(); name != "RangeError" {
				t.Fatalf("threw %v, want a RangeError", ex)
			}
			if calls[tc.limit] == 0 {
				t.Fatalf("the callback saw %v, want %v (%v)", calls, tc.limit, ex)
			}
		})
	}
}

func TestSizeLimitsZeroValueUnchanged(t *testing.T) {
	r := New()
	v, err := r.RunString(`String([(2n ** 5000n).toString(16).length, "x".repeat(5000).length, Array.from({ length: 5000 }).length])`)
	if err != nil {
		t.Fatal(err)
	}
	if got := v.String(); got != "1251,5000,5000" {
		t.Fatalf("got %q", got)
	}
}

func TestTransformStringChunked(t *testing.T) {
	// Long enough to cross chunk boundaries inside combining sequences and final sigmas.
	s := strings.Repeat("a\u0301\u0323 \u1e9b\u0323 \u03a3\u0391\u03a3 \u00df \U0001F600 ", 20000)
	r := New()
	for _, tc := range []struct {
		name string
		t    interface{ String(string) string }
		tr   func() string
	}{
		{"NFC", norm.NFC, func() string { return r.transformString(norm.NFC, s) }},
		{"NFKD", norm.NFKD, func() string { return r.transformString(norm.NFKD, s) }},
		{"upper", cases.Upper(language.Und), func() string { return r.transformString(cases.Upper(language.Und), s) }},
		{"lower", cases.Lower(language.Und), func() string { return r.transformString(cases.Lower(language.Und), s) }},
	} {
		if got, want := tc.tr(), tc.t.String(s); got != want {
			t.Errorf("%s: chunked result differs (%d bytes, want %d)", tc.name, len(got), len(want))
		}
	}
}

func TestSizeLimitCaught(t *testing.T) {
	r, _ := limitsRuntime(64, 0, 0)
	v, err := r.RunString(`try { let x = 2n; x ** 100n } catch (e) { e.constructor.name + ": " + e.message }`)
	if err != nil {
		t.Fatal(err)
	}
	if got := v.String(); got != "RangeError: Maximum BigInt size exceeded" {
		t.Fatalf("got %q", got)
	}
}

func TestInterruptInsideBuiltin(t *testing.T) {
	// Each script is one native call that runs for seconds (the slowest,
	// normalize, about 4 s on an idle 2-core test machine) unless it checks
	// for the interrupt as it goes; interrupted after 100 ms, it must stop
	// well before that even on a loaded machine (seen: 0.25 s idle, 1.0 s
	// loaded).
	for _, src := range []string{
		`new Float64Array(1 << 23).sort()`,
		`Array.from("x".repeat(1 << 24))`,
		`[..."x".repeat(1 << 24)]`,
		`Object.assign({}, "x".repeat(1 << 24))`,
		`"\u1e9b\u0323".repeat(1 << 23).normalize("NFKD")`,
		`"\u00df".repeat(1 << 23).toUpperCase()`,
		`"\u00c9".repeat(1 << 23).toLowerCase()`,
		`"\u00e9".repeat(1 << 23).localeCompare("\u00e9".repeat(1 << 23) + "a")`,
		`"\u00e9x".repeat(1 << 22).split("")`,
		`"xy".repeat(1 << 23).replaceAll("x", "z")`,
		`"x".repeat(1 << 23).replace(/x/g, "y")`,
		`"x".repeat(1 << 23).match(/x/g)`,
		`"x".repeat(1 << 23).split(/x/)`,
		`"\u00e9".repeat(1 << 23).replace(/\u00e9/gu, "e")`,
	} {
		t.Run(src, func(t *testing.T) {
			r := New()
			time.AfterFunc(100*time.Millisecond, func() { r.Interrupt("stop") })
			start := time.Now()
			_, err := r.RunString(src)
			took := time.Since(start)
			if _, ok := err.(*InterruptedError); !ok {
				t.Fatalf("err = %v after %v, want an InterruptedError", err, took)
			}
			if took > 2*time.Second {
				t.Fatalf("took %v", took)
			}
		})
	}
}

// TestArgumentsPastParametersStayOutOfTheStash: the stash slots after the
// declared parameters belong to the function's variables.
func TestArgumentsPastParametersStayOutOfTheStash(t *testing.T) {
	vm := New()
	v, err := vm.RunString(`
function f() { var n = arguments.length; var e; return [n, typeof e, (() => typeof e)(), arguments[0], arguments[1]].join(); }
function g(a) { var n = arguments.length; var e; return [n, a, typeof e, (() => typeof e)(), arguments[1]].join(); }
function h(a, b) { arguments; var e; return [a, typeof b, typeof e, (() => e)()].join(); }
[f(7, 8), g(1, 2, 3), h(5)].join('|')`)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := v.String(), "2,undefined,undefined,7,8|3,1,undefined,undefined,2|5,undefined,undefined,"; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}

func TestOnFirstUse(t *testing.T) {
	r := New()
	ap := r.Get("Array").ToObject(r).Get("prototype").ToObject(r)
	wrapped := 0
	wrap := func(name string) func() {
		return func() {
			wrapped++
			orig, _ := AssertFunction(ap.Get(name))
			_ = ap.DefineDataProperty(name, r.ToValue(func(call FunctionCall) Value {
				v, err := orig(call.This, call.Arguments...)
				if err != nil {
					panic(err)
				}
				return r.ToValue("wrapped " + v.String())
			}), FLAG_TRUE, FLAG_TRUE, FLAG_FALSE)
		}
	}
	if !ap.OnFirstUse("join", wrap("join")) {
		t.Fatal("OnFirstUse(join) refused on a fresh Array.prototype")
	}
	if ap.OnFirstUse("noSuchMethod", func() {}) || r.NewObject().OnFirstUse("join", func() {}) {
		t.Fatal("OnFirstUse accepted a property that is not a template's")
	}
	if wrapped != 0 {
		t.Fatal("the callback ran before any use")
	}
	for _, tc := range []struct{ src, want string }{
		{`Object.getOwnPropertyNames(Array.prototype).indexOf('join') === Object.getOwnPropertyNames([].__proto__).indexOf('join')`, "true"},
		{`[1, 2].join('-')`, "wrapped 1-2"},
		{`Array.prototype.join === [].join`, "true"},
		{`Object.getOwnPropertyDescriptor(Array.prototype, 'join').enumerable`, "false"},
	} {
		v, err := r.RunString(tc.src)
		if err != nil {
			t.Fatalf("%s: %v", tc.src, err)
		}
		if v.String() != tc.want {
			t.Errorf("%s = %s, want %s", tc.src, v, tc.want)
		}
	}
	if wrapped != 1 {
		t.Errorf("the callback ran %d times, want once", wrapped)
	}
	if ap.OnFirstUse("join", func() {}) {
		t.Error("OnFirstUse accepted a property already created")
	}

	// A callback that panics leaves the property uncreated, to run again.
	fail := true
	if !ap.OnFirstUse("map", func() {
		if fail {
			fail = false
			panic(r.NewTypeError("not now"))
		}
		wrap("map")()
	}) {
		t.Fatal("OnFirstUse(map) refused")
	}
	if _, err := r.RunString(`[1].map(String)`); err == nil || !strings.Contains(err.Error(), "not now") {
		t.Fatalf("the panicking callback's error: %v", err)
	}
	if v, err := r.RunString(`[1].map(String)`); err != nil || v.String() != "wrapped wrapped 1" { // map, then join on its result
		t.Errorf("after a panicking callback: %v, %v; want the callback run again", v, err)
	}

	// Symbol-keyed properties, and a listing of every value.
	sym := 0
	if !ap.OnFirstUseSymbol(SymIterator, func() { sym++ }) {
		t.Fatal("OnFirstUseSymbol refused")
	}
	if !ap.OnFirstUse("forEach", wrap("forEach")) {
		t.Fatal("OnFirstUse(forEach) refused")
	}
	if _, err := r.RunString(`for (const x of [1]) {} Object.keys(Array.prototype); Object.values(Array.prototype)`); err != nil {
		t.Fatal(err)
	}
	if v, _ := r.RunString(`[3].forEach.call([], () => {})`); sym != 1 || v.String() != "wrapped undefined" {
		t.Errorf("symbol callback ran %d times, forEach gave %v", sym, v)
	}
}

func TestKeysOfOrdinaryObject(t *testing.T) {
	r := New()
	v, err := r.RunString(`const o = { b: 1, 2: 'x', a: 2, 1: 'y' };
Object.defineProperty(o, 'hidden', { value: 3, enumerable: false });
o.c = 4; delete o.a; o.a = 5; o`)
	if err != nil {
		t.Fatal(err)
	}
	got := v.(*Object).Keys()
	want, err := r.RunString(`Object.keys(o).join(',')`)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(got, ",") != want.String() || want.String() != "1,2,b,c,a" {
		t.Errorf("Keys() = %v, Object.keys = %s, want 1,2,b,c,a", got, want)
	}
}

func TestDefineLazyProperty(t *testing.T) {
	r := New()
	g := r.GlobalObject()
	made := 0
	if !g.DefineLazyProperty("lazyOne", func() Value { made++; return r.ToValue(42) }) {
		t.Fatal("DefineLazyProperty refused on the global object")
	}
	_ = g.Set("eager", 1)
	if !g.DefineLazyProperty("lazyTwo", func() Value { made++; return r.ToValue("two") }) {
		t.Fatal("DefineLazyProperty refused after the names were listed")
	}
	if g.DefineLazyProperty("lazyOne", func() Value { return nil }) || r.NewObject().DefineLazyProperty("x", func() Value { return nil }) {
		t.Fatal("DefineLazyProperty accepted an existing name or an ordinary object")
	}
	if made != 0 {
		t.Fatal("a value was made before any use")
	}
	for _, tc := range []struct{ src, want string }{
		{`'lazyOne' in globalThis && Object.getOwnPropertyNames(globalThis).slice(-3).join()`, "lazyOne,eager,lazyTwo"},
		{`typeof lazyOne + lazyOne`, "number42"},
		{`JSON.stringify(Object.getOwnPropertyDescriptor(globalThis, 'lazyTwo'))`, `{"value":"two","writable":true,"enumerable":true,"configurable":true}`},
		{`delete globalThis.lazyOne; typeof lazyOne`, "undefined"},
		{`Object.keys(globalThis).slice(-2).join()`, "eager,lazyTwo"},
	} {
		v, err := r.RunString(tc.src)
		if err != nil || v.String() != tc.want {
			t.Errorf("%s = %v, %v; want %s", tc.src, v, err, tc.want)
		}
	}
	if made != 2 {
		t.Errorf("values made %d times, want once each", made)
	}
}

func TestDefineLazyDataProperty(t *testing.T) {
	r := New()
	g := r.GlobalObject()
	made := 0
	if !g.DefineLazyDataProperty("hidden", func() Value { made++; return r.ToValue(7) }, FLAG_TRUE, FLAG_TRUE, FLAG_FALSE) {
		t.Fatal("DefineLazyDataProperty refused on the global object")
	}
	_ = g.Set("eager", 1) // lists the names: the next is defined after
	if !g.DefineLazyDataProperty("late", func() Value { made++; return r.ToValue(9) }, FLAG_TRUE, FLAG_TRUE, FLAG_FALSE) {
		t.Fatal("DefineLazyDataProperty refused after the names were listed")
	}
	if !g.DefineLazyDataProperty("shown", func() Value { made++; return r.ToValue(8) }, FLAG_TRUE, FLAG_TRUE, FLAG_TRUE) {
		t.Fatal("DefineLazyDataProperty refused a second name")
	}
	if g.DefineLazyDataProperty("hidden", func() Value { return nil }, FLAG_TRUE, FLAG_TRUE, FLAG_FALSE) {
		t.Fatal("DefineLazyDataProperty accepted an existing name")
	}
	v, err := r.RunString(`Object.keys(globalThis).filter((k) => k === 'hidden' || k === 'late').length + ',' + Object.getOwnPropertyNames(globalThis).slice(-4).join()`)
	if err != nil || v.String() != "0,hidden,eager,late,shown" {
		t.Errorf("keys = %v, %v; want 0,hidden,eager,late,shown", v, err)
	}
	for _, tc := range []struct{ src, want string }{
		{`JSON.stringify(Object.getOwnPropertyDescriptor(globalThis, 'hidden'))`, `{"value":7,"writable":true,"enumerable":false,"configurable":true}`},
		{`hidden = 9; hidden`, "9"},
		{`delete globalThis.hidden; typeof hidden`, "undefined"},
	} {
		v, err := r.RunString(tc.src)
		if err != nil || v.String() != tc.want {
			t.Errorf("%s = %v, %v; want %s", tc.src, v, err, tc.want)
		}
	}
	if made != 3 {
		t.Errorf("values made %d times, want once each", made)
	}
}

func TestDefineLazyAccessorProperty(t *testing.T) {
	r := New()
	g := r.GlobalObject()
	made := 0
	stored := Value(r.ToValue("initial"))
	ok := g.DefineLazyAccessorProperty("acc", func() (*Object, *Object) {
		made++
		get := r.ToValue(func(FunctionCall) Value { return stored }).(*Object)
		set := r.ToValue(func(call FunctionCall) Value { stored = call.Argument(0); return _undefined }).(*Object)
		return get, set
	}, FLAG_TRUE, FLAG_FALSE)
	if !ok {
		t.Fatal("DefineLazyAccessorProperty refused on the global object")
	}
	if made != 0 {
		t.Fatal("made before any use")
	}
	for _, tc := range []struct{ src, want string }{
		{`Object.keys(globalThis).includes('acc') + ',' + Object.getOwnPropertyNames(globalThis).includes('acc')`, "false,true"},
		{`const d = Object.getOwnPropertyDescriptor(globalThis, 'acc'); [typeof d.get, typeof d.set, d.enumerable, d.configurable, 'value' in d].join()`, "function,function,false,true,false"},
		{`acc = 'next'; acc`, "next"},
		{`Object.getOwnPropertyDescriptor(globalThis, 'acc').get === Object.getOwnPropertyDescriptor(globalThis, 'acc').get`, "true"},
	} {
		v, err := r.RunString(tc.src)
		if err != nil || v.String() != tc.want {
			t.Errorf("%s = %v, %v; want %s", tc.src, v, err, tc.want)
		}
	}
	if made != 1 {
		t.Errorf("made %d times, want once", made)
	}
}

func TestIntrinsicPromiseThen(t *testing.T) {
	r := New()
	then := r.IntrinsicPromiseThen()
	if _, err := r.RunString(`globalThis.out = []; globalThis.p = Promise.resolve(5); Promise.prototype.then = () => { throw new Error('replaced'); };`); err != nil {
		t.Fatal(err)
	}
	f := r.ToValue(func(call FunctionCall) Value {
		_, _ = r.RunString("out.push(" + call.Argument(0).String() + ")")
		return _undefined
	})
	ret, err := then(r.Get("p"), f)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := ret.Export().(*Promise); !ok {
		t.Errorf("then returned %v, want a promise", ret)
	}
	if _, err := then(r.NewObject(), f); err == nil || !strings.Contains(err.Error(), "incompatible receiver") {
		t.Errorf("then on an object: %v, want a TypeError", err)
	}
	v, err := r.RunString(`out.join()`)
	if err != nil || v.String() != "5" {
		t.Errorf("out = %v, %v; want 5", v, err)
	}
}

// A match regexp2 gives up on (its MatchTimeout) throws a RangeError; it
// is not reported as no match. A match within the timeout is unchanged.
func TestRegexpTimeoutThrows(t *testing.T) {
	saved := regexp2.DefaultMatchTimeout
	regexp2.DefaultMatchTimeout = 10 * time.Millisecond
	defer func() { regexp2.DefaultMatchTimeout = saved }()
	const runaway = `const re = /^(?=a)(a+)+$/; const g = /(?=a)(a+)+$/g; const u = /(?=a)(a+)+$/gu; const s = 'a'.repeat(40) + 'b';`
	tests := []struct {
		name, src string
	}{
		{"test", `re.test(s)`},
		{"exec", `re.exec(s)`},
		{"match global", `s.match(g)`},
		{"match unicode", `s.match(u)`},
		{"matchAll", `[...s.matchAll(g)]`},
		{"replace", `s.replace(g, 'x')`},
		{"replace unicode", `s.replace(u, 'x')`},
		{"split", `s.split(re)`},
		{"search", `s.search(re)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := New()
			v, err := r.RunString(runaway + `try { ` + tt.src + `; 'no error' } catch (e) { e instanceof RangeError ? e.message : String(e) }`)
			if err != nil {
				t.Fatal(err)
			}
			if got := v.String(); got != "Regular expression too complex: matching gave up after 10ms of backtracking" {
				t.Errorf("%s: %s", tt.src, got)
			}
		})
	}
	v, err := New().RunString(`['aaab'.replace(/(?=a)(a+)+b/g, 'x'), /(?=a)(a+)+$/.test('aaab')].join()`)
	if err != nil || v.String() != "x,false" {
		t.Errorf("a match within the timeout: %v, %v", v, err)
	}
}

// Matches in a string longer than maxGoScanLength are collected one at a
// time with regexp2; they are the matches an exec loop finds.
func TestRegexpLongStringMatches(t *testing.T) {
	for _, re := range []string{`/x/g`, `/\bx/g`, `/^x|y$/gm`, `/(?:)/g`, `/x|(?:)/g`, `/(x)(y)?/g`, `/\u00e9/gu`, `/x/gy`} {
		t.Run(re, func(t *testing.T) {
			v, err := New().RunString(`
				const re = ` + re + `;
				const s = "xx y\n\u00e9x".repeat(2400); // 16800 code units, over maxGoScanLength
				const got = s.replace(re, "<$&>");
				let want = "", last = 0, m;
				re.lastIndex = 0;
				while ((m = re.exec(s)) !== null) {
					want += s.slice(last, m.index) + "<" + m[0] + ">";
					last = m.index + m[0].length;
					if (m[0] === "") re.lastIndex++;
				}
				want += s.slice(last);
				[got === want, s.match(re).length, s.split(re).length].join()`)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(v.String(), "true,") {
				t.Errorf("replace differs from an exec loop: %s", v)
			}
		})
	}
}

func TestNewPlainObject(t *testing.T) {
	r := New()
	o := r.NewPlainObject([]string{"b", "__proto__", "a", "b", "1", "é"},
		[]Value{r.ToValue(1), r.ToValue(2), r.ToValue(3), r.ToValue(4), r.ToValue(5), StringValue("ü")})
	r.Set("o", o)
	r.Set("arr", r.NewArrayFromValues([]Value{r.ToValue(1), StringValue("x"), o}))
	r.Set("f", r.NewNativeFunction("callback", 2, func(FunctionCall) Value { return StringValue("called") }))
	v, err := r.RunString(`
	function describe(x) {
		return JSON.stringify(Object.getOwnPropertyNames(x).map(function (k) {
			var d = Object.getOwnPropertyDescriptor(x, k);
			return [k, typeof d.value === "function" ? "fn" : d.value, d.writable, d.enumerable, d.configurable];
		}));
	}
	var parsed = JSON.parse('{"b":1,"__proto__":2,"a":3,"b":4,"1":5,"é":"ü"}');
	[
		describe(o) === describe(parsed),
		Object.getPrototypeOf(o) === Object.prototype,
		Object.isExtensible(o),
		(o.c = 6, Object.keys(o).join()) === "1,b,__proto__,a,é,c",
		Array.isArray(arr), arr.length === 3, arr[2] === o, (arr.push(7), arr.join("|")) === "1|x|[object Object]|7",
		describe(f) === '[["length",2,false,false,true],["name","callback",false,false,true]]',
		String(f) === "function callback() { [native code] }",
		f() === "called",
	].join();
	`)
	if err != nil {
		t.Fatal(err)
	}
	if got := v.String(); got != "true,true,true,true,true,true,true,true,true,true,true" {
		t.Fatalf("got %s", got)
	}
}

func TestObjectLiteralSized(t *testing.T) {
	r := New()
	v, err := r.RunString(`
	var k = "k";
	var o = {b: 1, a: 2, 1: 3, [k]: 4, __proto__: {inherited: 5}, get g() { return 6; }, ...{s: 7}, b: 8};
	o.later = 9;
	var e = {};
	e.x = 1;
	[Object.keys(o).join(), o.inherited, o.g, o.b, JSON.stringify(o), Object.keys(e).join(), Object.getPrototypeOf(e) === Object.prototype].join("|");
	`)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := v.String(), `1,b,a,k,g,s,later|5|6|8|{"1":3,"b":8,"a":2,"k":4,"g":6,"s":7,"later":9}|x|true`; got != want {
		t.Fatalf("got %s, want %s", got, want)
	}
}

func TestAppendKeys(t *testing.T) {
	r := New()
	v, err := r.RunString(`var o = {b: 1, 2: 2, a: 3}; Object.defineProperty(o, "hidden", {value: 4, enumerable: false}); o`)
	if err != nil {
		t.Fatal(err)
	}
	o := v.(*Object)
	got := o.AppendKeys([]string{"x"})
	if strings.Join(got, ",") != "x,"+strings.Join(o.Keys(), ",") || strings.Join(o.Keys(), ",") != "2,b,a" {
		t.Fatalf("AppendKeys = %v, Keys = %v", got, o.Keys())
	}
	arr, _ := r.RunString(`[7, 8]`)
	if got := arr.(*Object).AppendKeys(nil); strings.Join(got, ",") != "0,1" {
		t.Fatalf("array AppendKeys = %v", got)
	}
}

func TestValueStackKept(t *testing.T) {
	r := New()
	_, err := r.RunString(`
	function sum(n) { return n === 0 ? 0 : n + sum(n - 1); }
	function hold(n) { var o = {n: n}; return sum(n) + o.n; }
	`)
	if err != nil {
		t.Fatal(err)
	}
	hold, _ := AssertFunction(r.Get("hold"))
	call := func(n int64) int64 {
		t.Helper()
		v, err := hold(nil, r.ToValue(n))
		if err != nil {
			t.Fatal(err)
		}
		return v.ToInteger()
	}
	if got := call(20); got != 230 {
		t.Fatalf("hold(20) = %d", got)
	}
	kept := r.vm.stack
	if len(kept) != 0 || cap(kept) == 0 || cap(kept) > maxKeptValueStack {
		t.Fatalf("after a small call: len %d, cap %d; want an empty stack kept", len(kept), cap(kept))
	}
	for i, v := range kept[:cap(kept)] {
		if v != nil {
			t.Fatalf("the kept stack still holds %v at %d", v, i)
		}
	}
	if got := call(10); got != 65 {
		t.Fatalf("hold(10) on the kept stack = %d", got)
	}
	if &r.vm.stack[:1][0] != &kept[:1][0] {
		t.Error("the second call did not reuse the kept stack")
	}
	// A deep call grows the stack past what is kept: it is dropped.
	if got := call(2000); got != 2003000 {
		t.Fatalf("hold(2000) = %d", got)
	}
	if r.vm.stack != nil {
		t.Errorf("a stack of %d values was kept", cap(r.vm.stack))
	}
}
