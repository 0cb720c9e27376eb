package sandbox_test

import (
	"context"
	"strings"
	"testing"

	"github.com/dop251/goja"

	"github.com/hookengine/hookengine/sandbox"
)

// TestGuardsInstalledOnFirstUse: the guards on built-ins are installed when
// a script first uses the built-in (see onFirstUse in guards.go). Whatever
// a script does before that first use (freezing, deleting or redefining the
// property, replacing a global the guards need, reaching a constructor
// without its global) it must find the same thing as when the guards were
// installed with the runtime; each case runs in a new runtime, and the
// answers are those of the eager guards before issue 20.
func TestGuardsInstalledOnFirstUse(t *testing.T) {
	evalEach(t, []struct{ src, want string }{
		{"Object.freeze(Array.prototype); [typeof [].map, String([].map).length, Object.isFrozen(Array.prototype)].join()", "function,99,true"},
		{"delete Array.prototype.map; typeof [].map", "undefined"},
		{"Object.getOwnPropertyDescriptors(Array.prototype).map.value === [].map", "true"},
		{"Object.values(Array.prototype).length + ':' + String(Array.prototype.join).length", "0:317"},
		{"for (const k in Array.prototype) {} ; String([].concat).length", "218"},
		{"const d = Object.getOwnPropertyDescriptor(globalThis, 'Uint8Array'); typeof d.get + typeof d.value", "functionundefined"},
		{"globalThis.ArrayBuffer = 1; try { new Uint8Array(4).length } catch (e) { e.message }", "4"},
		{"globalThis.WeakMap = null; try { (function(){}).bind(null).name } catch (e) { e.message }", "bound "},
		{"WeakMap.prototype.get = () => 0; let f = function () {}; try { for (let i = 0; i < 1100; i++) f = f.bind(null); 'no' } catch (e) { e.message }",
			"Maximum call stack size exceeded (bound functions nested deeper than 1000 levels)"},
		{"'abc'.replace('b', 'x') + String(RegExp.prototype.test).length", "axc33"},
		{"Object.setPrototypeOf(Array.prototype, null); typeof [].map", "function"},
		{"Object.defineProperty(Array.prototype, 'map', { value: 1 }); [].map", "1"},
		{"Array.prototype.map = 5; [].map", "5"},
		{"new Proxy({}, {}) instanceof Object", "true"},
		{"[].constructor.from({length: 3}).length", "3"},
		{"/a/[Symbol.split]('bab').join()", "b,b"},
		// The guards are built on first use, after scripts have run: they
		// keep the originals captured before.
		{"Object.defineProperty = Object.getOwnPropertyDescriptor = Object.getPrototypeOf = Object.setPrototypeOf = null; globalThis.RangeError = null; " +
			"const a = []; a.length = 2 ** 24; try { a.map((x) => x); 'no' } catch (e) { e.constructor.name + ': ' + e.message }",
			"RangeError: Array too long for a hook: length 16777216, at most 8388608"},
		{"Object.defineProperty = null; try { Reflect.apply(Math.max, null, { length: 70000 }); 'no' } catch (e) { e.constructor.name + ': ' + e.message }",
			"RangeError: Too many arguments in function call (at most 65536)"},
		{"Object.defineProperty = null; try { Reflect.construct(Array, { length: 70000 }); 'no' } catch (e) { e.message }",
			"Too many arguments in function call (at most 65536)"},
		{"try { [].constructor.from({ length: 2 ** 24 }); 'no' } catch (e) { e.message }",
			"Array too long for a hook: length 16777216, at most 8388608"},
		{"Array.prototype.constructor === Array && Array.from.name + Array.from.length", "from1"},
		{"Object.defineProperty = null; JSON.parse('[7]')[0] + JSON.parse.name + JSON.stringify.name + String(JSON.parse).length", "7parsestringify301"},
		// Nor does a setter on Object.prototype get what the host defines
		// for them.
		// (An index loop: for...of would use, and so guard, the array
		// iterator first.)
		{"const ks = ['apply', 'construct', 'ownKeys', 'defineProperty', 'describe', 'AP', 'SP', 'FP', 'RangeError', 'maxNesting', 'maxArguments', 'iterator']; " +
			"for (let i = 0; i < ks.length; i++) Object.defineProperty(Object.prototype, ks[i], { set() {}, get() { return () => 0 }, configurable: true }); " +
			"const a = []; a.length = 2 ** 24; let m; try { a.map((x) => x); m = 'no' } catch (e) { m = e.message } " +
			"[1, 2].map((x) => x * 2).join('+') + ' ' + Reflect.apply(Math.max, null, [3, 4]) + ' ' + m",
			"2+4 4 Array too long for a hook: length 16777216, at most 8388608"},
		{"Object.prototype.get = function () {}; Object.prototype.value = 1; [Reflect.apply(Math.max, null, [1, 2]), [3].map((x) => x), JSON.parse('4')].join()",
			"2,3,4"},
		{"Object.defineProperty(Function.prototype, 'bigint', { set() {}, get() { return 'fake' }, configurable: true }); typeof process.hrtime.bigint()",
			"bigint"},
		{"delete globalThis.Reflect; try { [].map.call({ length: 2 ** 24 }, (x) => x); 'no' } catch (e) { e.message }",
			"Array too long for a hook: length 16777216, at most 8388608"},
	})
}

// TestPreludeMadeOnFirstUse: process and queueMicrotask are made on the
// first use of either, possibly after a script replaced the built-ins the
// prelude keeps copies of; they behave as if made with the runtime, and
// their functions keep their positions in stack traces.
func TestPreludeMadeOnFirstUse(t *testing.T) {
	const spoil = "globalThis.TypeError = globalThis.Promise = globalThis.Reflect = null; Object.defineProperty = null; "
	evalEach(t, []struct{ src, want string }{
		{spoil + "try { queueMicrotask(1) } catch (e) { e.constructor.name + ' ' + e.code + ' ' + e.stack.split('\\n')[1].trim() }",
			"TypeError ERR_INVALID_ARG_TYPE at checkCallback (hookengine:prelude:31:19(18))"},
		{spoil + "try { process.nextTick(1) } catch (e) { e.stack.split('\\n')[2].trim() }",
			"at nextTick (hookengine:prelude:58:20(7))"},
		{spoil + "Object.prototype.toString.call(process) + JSON.stringify(Object.getOwnPropertyDescriptor(process, Symbol.toStringTag))",
			`[object process]{"value":"process","writable":false,"enumerable":false,"configurable":false}`},
		{"Object.keys(globalThis).filter((k) => k === 'process' || k === 'global' || k === 'queueMicrotask').length + typeof process.hrtime()[0]", "0number"},
		{"[global === globalThis, JSON.stringify(Object.getOwnPropertyDescriptor(globalThis, 'queueMicrotask').enumerable)].join()", "true,false"},
	})
	// Microtasks go through the original Promise.prototype.then.
	rt := newRuntime(t, nil)
	begin(t, rt, context.Background(), roomy, nil)
	defer rt.End()
	if err := rt.Do(func(vm *goja.Runtime) error {
		_, err := vm.RunString("globalThis.out = []; Promise.prototype.then = null; " +
			"queueMicrotask(() => out.push('a')); process.nextTick((x) => out.push(x), 'b'); out.push('sync');")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	_ = rt.Wait(func() bool { return false })
	if err := rt.Do(func(vm *goja.Runtime) error {
		v, err := vm.RunString("out.join()")
		if err == nil && v.String() != "sync,a,b" {
			t.Errorf("order = %s, want sync,a,b", v)
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
}

// TestErrorConstructorsCapturedOnFirstUse: the host makes its errors with
// the original constructors, captured on the first use of their globals,
// whatever a script put in their place.
func TestErrorConstructorsCapturedOnFirstUse(t *testing.T) {
	rt := newRuntime(t, nil)
	begin(t, rt, context.Background(), roomy, nil)
	defer rt.End()
	err := rt.Do(func(vm *goja.Runtime) error {
		if _, err := vm.RunString("globalThis.Error = function Fake() {}; delete globalThis.RangeError;"); err != nil {
			return err
		}
		e, err := rt.NewError("made by the host")
		if err != nil {
			return err
		}
		if !sandbox.IsError(e) || e.Get("message").String() != "made by the host" || e.Get("name").String() != "Error" {
			t.Errorf("NewError = %v, want an Error", e)
		}
		v, err := vm.RunString("const a = []; a.length = 2 ** 24; try { a.map((x) => x); 'no' } catch (e) { e.name + ' ' + (e instanceof Error) + ' ' + (e instanceof Object.getPrototypeOf(TypeError)) }")
		if err != nil {
			return err
		}
		if v.String() != "RangeError false true" {
			t.Errorf("guard error = %s, want RangeError false true", v)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestGuardStackPositions: a stack trace through a guard shows the line and
// column of the wrapper in hookengine:guards; they are those of the guards
// installed with every runtime before issue 20, whatever builds them now.
// So does a trace through the prelude (TestPreludeMadeOnFirstUse).
func TestGuardStackPositions(t *testing.T) {
	for _, tc := range []struct{ src, want string }{
		{"[1].map(() => { throw new Error('x') })", "at hookengine:guards:47:21(17)"},
		{"Reflect.apply(() => { throw new Error('x') }, null, [])", "at hookengine:guards:355:17(17)"},
		{"JSON.parse('[1]', () => { throw new Error('x') })", "at hookengine:guards:375:17(42)"},
		{"Array.from([1], () => { throw new Error('x') })", "at hookengine:guards:349:17(46)"},
		{"new Uint8Array({ get length() { throw new Error('x') } })", "at sizeArg (hookengine:guards:238:26(29))\n\tat Guarded (hookengine:guards:249:21(23))"},
		{"'a'.repeat(-1)", "at hookengine:guards:126:17(18)"},
		{"[].join.call({ get length() { throw new Error('x') } })", "at lengthOf (hookengine:guards:16:66(12))\n\tat hookengine:guards:75:29(9)"},
	} {
		rt := newRuntime(t, nil)
		begin(t, rt, context.Background(), roomy, nil)
		v, err := run(rt, "try { "+tc.src+"; 'no error' } catch (e) { e.stack }")
		if err != nil {
			t.Errorf("%s: %v", tc.src, err)
		} else if !strings.Contains(v.String(), tc.want) {
			t.Errorf("%s: stack\n%s\nwant it to hold %q", tc.src, v, tc.want)
		}
		rt.End()
	}
}

// evalEach runs each case's source in a runtime of its own and checks what
// it evaluates to.
func evalEach(t *testing.T, cases []struct{ src, want string }) {
	t.Helper()
	for _, tc := range cases {
		rt := newRuntime(t, nil)
		begin(t, rt, context.Background(), roomy, nil)
		err := rt.Do(func(vm *goja.Runtime) error {
			v, err := vm.RunString(tc.src)
			if err != nil {
				return err
			}
			if v.String() != tc.want {
				t.Errorf("%s\n= %s, want %s", tc.src, v, tc.want)
			}
			return nil
		})
		if err != nil {
			t.Errorf("%s: %v", tc.src, err)
		}
		rt.End()
	}
}
