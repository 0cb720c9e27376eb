package sandbox_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/hookengine/hookengine/sandbox"
)

// TestSizeLimitsEndRunsAtOnce runs attacks that goja would otherwise compute
// in one native call that no limit can interrupt (minutes of math/big, or a
// single allocation of gigabytes): each ends with ErrMemoryExceeded in
// milliseconds, even when the script catches the error.
func TestSizeLimitsEndRunsAtOnce(t *testing.T) {
	tests := []struct{ name, src string }{
		{"bigint power", `10n ** 100000000n`},
		{"bigint power caught", `try { 10n ** 100000000n } catch (e) {} for (;;) {}`},
		{"bigint shift", `1n << 10000000000n`},
		{"bigint shift past 2**64", `1n << (2n ** 64n + 1n)`},
		{"bigint squaring", `let x = 3n; for (;;) x *= x`},
		{"bigint parse", `BigInt("9".repeat(500000))`},
		{"bigint parse object", `BigInt({ valueOf() { return "9".repeat(500000); } })`},
		{"bigint asUintN", `BigInt.asUintN(2 ** 53 - 1, -1n)`},
		{"bigint typed array", `new BigInt64Array(1)[0] = "9".repeat(500000)`},
		{"string doubling", `let s = "x"; for (;;) s += s`},
		{"string template", `const s = "x".repeat(1 << 19); ` + "`${s}${s}${s}`"},
		{"lying length", `let n = 0; const o = { get length() { return n++ ? 2 ** 32 - 1 : 1; } }; Array.prototype.slice.call(o)`},
		{"concat spreadable", `[].concat({ length: 2 ** 40, [Symbol.isConcatSpreadable]: true })`},
		{"buffer from array-like", `Buffer.from({ length: 2 ** 40 })`},
		{"buffer concat", `Buffer.concat([Buffer.from("a")], 2 ** 40)`},
		// Strings made by host functions, which goja's limit does not see.
		{"buffer toString", `Buffer.alloc(600000).toString("hex")`},
		{"text decoder", `new TextDecoder().decode(new Uint8Array(1100000))`},
		{"btoa", `btoa("x".repeat(900000))`},
		{"atob", `atob("QUJD".repeat(400000))`},
		{"json stringify", `const s = "x".repeat(600000); JSON.stringify([s, s])`},
		{"json stringify while it grows", `const s = '"'.repeat(600000); JSON.stringify([s, s, s])`},
	}
	rt := newRuntime(t, &sandbox.Config{})
	// The wall-time limit is far off: on a loaded machine it is the only
	// limit that load brings closer (at a load of 20 on two cores, 300 ms
	// of CPU take 3 s), and it must not end a run before the cap does.
	// The CPU limit, which load does not bring closer, stays.
	lim := sandbox.Limits{WallTime: time.Minute, CPUTime: time.Second, Memory: 32 << 20}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if !rt.Reusable() {
				rt = newRuntime(t, &sandbox.Config{})
			}
			rt.Begin(context.Background(), lim, nil)
			start := time.Now()
			_, err := run(rt, tc.src)
			took := time.Since(start)
			u := rt.End()
			if !errors.Is(err, sandbox.ErrMemoryExceeded) || !errors.Is(u.Err, sandbox.ErrMemoryExceeded) {
				t.Fatalf("err = %v (usage %v), want ErrMemoryExceeded", err, u.Err)
			}
			// Milliseconds of CPU without the race detector, up to 300 ms
			// with it; the error above already says the cap ended the run,
			// not its 1 s CPU limit. CPU time, not wall time: a loaded
			// machine stretches the latter (625 ms seen in CI).
			if u.CPUTime > lim.CPUTime*3/4 {
				t.Errorf("charged %v of CPU (took %v): the cap must end the run at once", u.CPUTime, took)
			}
		})
	}
}

// TestSizeLimitsFromMemory checks the limits a run's memory limit leads to:
// values within them work, and a run without a memory limit still has the
// absolute ones.
func TestSizeLimitsFromMemory(t *testing.T) {
	rt := newRuntime(t, &sandbox.Config{})
	for _, tc := range []struct {
		name   string
		memory int64
		src    string
		want   string // "" for ErrMemoryExceeded
	}{
		{"bigint under the cap", 32 << 20, `String((2n ** 200000n).toString(16).length)`, "50001"},
		{"bigint over the cap", 0, `let x = 2n; x ** 300000n`, ""},
		{"bigint cap from a small limit", 1 << 10, `let x = 2n; x ** 4096n`, ""},
		{"string at the cap", 32 << 20, `String(("x".repeat(1 << 19) + "y".repeat(1 << 19)).length)`, "1048576"},
		{"string over the cap without a limit", 0, `"xy".repeat(1 << 19) + "z"`, ""},
		{"string cap from the limit", 1 << 20, `"x".repeat(300000) + "x".repeat(300000)`, ""},
		{"array under the cap", 32 << 20, `String(Array.from({ length: 100000 }, (_, i) => i).reverse()[0])`, "99999"},
		{"array over the cap", 16 << 20, `Array.prototype.slice.call({ length: (1 << 20) + 1 })`, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if !rt.Reusable() {
				rt = newRuntime(t, &sandbox.Config{})
			}
			rt.Begin(context.Background(), sandbox.Limits{WallTime: 10 * time.Second, CPUTime: 5 * time.Second, Memory: tc.memory}, nil)
			v, err := run(rt, tc.src)
			rt.End()
			if tc.want == "" {
				if !errors.Is(err, sandbox.ErrMemoryExceeded) {
					t.Fatalf("err = %v, want ErrMemoryExceeded", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := v.String(); got != tc.want {
				t.Fatalf("got %s, want %s", got, tc.want)
			}
		})
	}
}

// TestLocaleCompareBounded checks the length bound of localeCompare: the
// collator cannot be interrupted.
func TestLocaleCompareBounded(t *testing.T) {
	rt := newRuntime(t, &sandbox.Config{})
	begin(t, rt, context.Background(), roomy, nil)
	if got := eval(t, rt, `["a", "B", "\u00e9"].sort((x, y) => x.localeCompare(y)).join()`); got != "a,B,\u00e9" {
		t.Errorf("sorted: %s", got)
	}
	if got := eval(t, rt, `String("x".repeat(60000).localeCompare("x".repeat(60000) + "y"))`); got != "-1" {
		t.Errorf("long compare: %s", got)
	}
	_, err := run(rt, `"\u00e9".repeat(1 << 17).localeCompare("a")`)
	if err == nil || !strings.Contains(err.Error(), "too long for localeCompare") {
		t.Fatalf("err = %v, want the length bound", err)
	}
}
