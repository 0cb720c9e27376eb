package sandbox_test

import (
	"context"
	"testing"

	"github.com/dop251/goja"
)

// TestGuardsInstalledOnFirstUse: the guards on built-ins are installed when
// a script first uses the built-in (see onFirstUse in guards.go). Whatever
// a script does before that first use (freezing, deleting or redefining the
// property, replacing a global the guards need, reaching a constructor
// without its global) it must find the same thing as when the guards were
// installed with the runtime; each case runs in a new runtime, and the
// answers are those of the eager guards before issue 20.
func TestGuardsInstalledOnFirstUse(t *testing.T) {
	for _, tc := range []struct{ src, want string }{
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
	} {
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
