package engine

import "testing"

func TestCleanStack(t *testing.T) {
	tests := []struct {
		desc, in, want string
	}{
		{"script frames lose goja's program counters",
			"Error: boom\n\tat check (hook.js:3:11(12))\n\tat hook.js:7:3(40)\n",
			"Error: boom\n    at check (hook.js:3:11)\n    at hook.js:7:3\n"},
		{"a Go function of a dependency",
			"RangeError: out of range\n\tat github.com/dop251/goja_nodejs/buffer.(*Buffer).readInt8-fm (native)\n\tat hook.js:1:20(8)",
			"RangeError: out of range\n    at native\n    at hook.js:1:20"},
		{"a Go function of the engine",
			"TypeError: x\n\tat github.com/hookengine/hookengine/sandbox.(*Runtime).installTimers.func3 (native)\n\tat hook.js:2:5(1)",
			"TypeError: x\n    at native\n    at hook.js:2:5"},
		{"a closure of package main",
			"Error: x\n\tat main.main.func1 (native)\n\tat hook.js:2:5(1)",
			"Error: x\n    at native\n    at hook.js:2:5"},
		{"built-ins keep their JavaScript names",
			"Error: px\n\tat ownKeys (hook.js:1:167(3))\n\tat keys (native)\n\tat hook.js:1:133(9)",
			"Error: px\n    at ownKeys (hook.js:1:167)\n    at keys (native)\n    at hook.js:1:133"},
		{"the engine's wrapper of a built-in is one native frame",
			"Error: b\n\tat 0 (hook.js:1:162(3))\n\tat apply (native)\n\tat hookengine:guards:139:17(17)\n\tat from (hookengine:buffer:60:17(23))\n\tat hook.js:1:133(8)\n",
			"Error: b\n    at 0 (hook.js:1:162)\n    at native\n    at from (native)\n    at hook.js:1:133\n"},
		{"consecutive native frames are one",
			"Error: e\n\tat native\n\tat github.com/x/y.F (native)\n\tat hookengine:guards:1:1(1)\n\tat hook.js:1:1(1)",
			"Error: e\n    at native\n    at hook.js:1:1"},
		{"an unnamed script", "Error: e\n\tat <eval>:1:5(2)", "Error: e\n    at <eval>:1:5"},
		{"a message that mentions at is kept",
			"Error: look at this\nat the start\n\tat hook.js:1:1(0)",
			"Error: look at this\nat the start\n    at hook.js:1:1"},
		{"not a stack", "nothing to see at all", "nothing to see at all"},
		{"Node's own form is kept", "Error: e\n    at f (a.js:1:2)\n    at a.js:3:4", "Error: e\n    at f (a.js:1:2)\n    at a.js:3:4"},
		{"a frame-looking line that is no frame is kept", "Error: e\n\tat whatever this is", "Error: e\n\tat whatever this is"},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			if got := cleanStack(tt.in); got != tt.want {
				t.Errorf("cleanStack(%q)\n got %q\nwant %q", tt.in, got, tt.want)
			}
		})
	}
}
