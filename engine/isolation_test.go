package engine_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/dop251/goja"

	"github.com/hookengine/hookengine/engine"
	"github.com/hookengine/hookengine/enginetest"
	"github.com/hookengine/hookengine/triggers"
)

func TestWarmRunsReuseProgramAndRuntime(t *testing.T) {
	e := enginetest.New(t)
	h := engine.Hook{ID: "01GBPZWEFDT9RFR6PN6939RZZE", Name: "counter", Trigger: triggers.PreUserRegistration, Script: script(t, "isolation/counter.js")}
	in := input(t, triggers.PreUserRegistration)
	for i := 1; i <= 5; i++ {
		res, err := e.Run(context.Background(), h, in)
		if err != nil {
			t.Fatal(err)
		}
		// Module-level state lives on in the warm runtime, as in Auth0's
		// warm containers.
		if want := `{"count":` + string(rune('0'+i)) + `}`; !jsonEqual(t, res.Envelope.Data, want) {
			t.Errorf("run %d: %s, want %s", i, res.Envelope.Data, want)
		}
	}
	st := e.Stats()
	if st.Compiles != 1 || st.RuntimesCreated != 1 || st.CachedPrograms != 1 || st.IdleRuntimes != 1 {
		t.Errorf("stats after 5 sequential runs = %+v, want one compile and one runtime", st)
	}

	// Another hook with the same script gets its own runtime (and, as its
	// name differs, its own program: stack traces name the hook).
	other := h
	other.ID, other.Name = "01GBPZWEFDT9RFR6PN6939RZZF", "counter-2"
	res, err := e.Run(context.Background(), other, in)
	if err != nil || !jsonEqual(t, res.Envelope.Data, `{"count":1}`) {
		t.Errorf("other hook: %v %s, want a fresh count", err, res.Envelope.Data)
	}
	// So does the same hook with different secrets.
	withSecret := h
	withSecret.Secrets = map[string]string{"K": "v"}
	res, err = e.Run(context.Background(), withSecret, in)
	if err != nil || !jsonEqual(t, res.Envelope.Data, `{"count":1}`) {
		t.Errorf("changed secrets: %v %s, want a fresh count", err, res.Envelope.Data)
	}
	if st := e.Stats(); st.Compiles != 2 || st.RuntimesCreated != 3 {
		t.Errorf("stats = %+v, want 2 compiles (changed secrets compile nothing), 3 runtimes", st)
	}
}

func TestFreshRuntimes(t *testing.T) {
	for _, tc := range []struct {
		desc string
		opt  []engine.Option
		hook bool
	}{
		{"engine option", []engine.Option{engine.WithFreshRuntimes(true)}, false},
		{"hook field", nil, true},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			e := enginetest.New(t, tc.opt...)
			h := engine.Hook{Trigger: triggers.PreUserRegistration, Script: script(t, "isolation/counter.js"), FreshRuntime: tc.hook}
			for i := 0; i < 3; i++ {
				res, err := e.Run(context.Background(), h, input(t, triggers.PreUserRegistration))
				if err != nil || !jsonEqual(t, res.Envelope.Data, `{"count":1}`) {
					t.Fatalf("run %d: %v %s, want count 1 every time", i, err, res.Envelope.Data)
				}
			}
			if st := e.Stats(); st.Compiles != 1 || st.RuntimesCreated != 3 || st.IdleRuntimes != 0 {
				t.Errorf("stats = %+v", st)
			}
		})
	}
}

// A hook that tampers with built-ins and globals changes nothing another hook
// can see, and cannot read the other's secrets.
func TestCrossHookIsolation(t *testing.T) {
	e := enginetest.New(t)
	in := input(t, triggers.PreUserRegistration)
	bad := engine.Hook{ID: "bad", Trigger: triggers.PreUserRegistration, Script: script(t, "isolation/pollute.js"), Secrets: map[string]string{"TOKEN": "bad-token"}}
	good := engine.Hook{ID: "good", Trigger: triggers.PreUserRegistration, Script: script(t, "isolation/inspect.js"), Secrets: map[string]string{"TOKEN": "good-token"}}
	for i := 0; i < 3; i++ {
		if _, err := e.Run(context.Background(), bad, in); err != nil {
			t.Fatal(err)
		}
		res, err := e.Run(context.Background(), good, in)
		if err != nil {
			t.Fatal(err)
		}
		want := `{"runs":` + string(rune('1'+i)) + `,"polluted":null,"push":1,"json":"{\"a\":1}","leakedSecret":null,"sharedGlobal":null,"mySecret":"good-token"}`
		if !jsonEqual(t, res.Envelope.Data, want) {
			t.Errorf("round %d: good hook saw %s\nwant %s", i, res.Envelope.Data, want)
		}
	}
	// The engine's own serialisation is immune to the polluter's
	// JSON.stringify: its result is real JSON.
	res, err := e.Run(context.Background(), bad, in)
	if err != nil || !jsonEqual(t, res.Envelope.Data, `{"runs":4}`) {
		t.Errorf("polluter's own result: %v %s", err, res.Envelope.Data)
	}
}

func TestLimitDiscardsRuntime(t *testing.T) {
	e := enginetest.New(t, engine.WithLimits(engine.Limits{CPUTime: 30 * time.Millisecond}))
	// Loops forever on its second run only.
	h := engine.Hook{Trigger: triggers.PreUserRegistration, Script: `
let runs = 0;
module.exports = function (user, context, cb) {
  runs++;
  if (runs === 2) { for (;;) {} }
  cb(null, { runs });
};`}
	in := input(t, triggers.PreUserRegistration)
	want := []string{`{"runs":1}`, "", `{"runs":1}`, ""}
	for i, w := range want {
		res, err := e.Run(context.Background(), h, in)
		if w == "" {
			if !errors.Is(err, engine.ErrCPUTimeExceeded) {
				t.Fatalf("run %d: err = %v", i, err)
			}
			continue
		}
		if err != nil || !jsonEqual(t, res.Envelope.Data, w) {
			t.Errorf("run %d: %v %s, want %s", i, err, res.Envelope.Data, w)
		}
	}
	if st := e.Stats(); st.RuntimesCreated != 2 {
		t.Errorf("RuntimesCreated = %d, want 2 (the runtime that hit the limit is not reused)", st.RuntimesCreated)
	}
}

func TestRequireRules(t *testing.T) {
	tests := []struct {
		module string
		want   string
	}{
		{"fs", `{"loaded":true}`}, // read-only, limited to node_modules: see TestHostileCorpus's escape-require.js
		{"worker_threads", `{"loaded":false,"message":"Cannot find module 'worker_threads'","code":"MODULE_NOT_FOUND"}`},
		{"node:vm", `{"loaded":false,"message":"Cannot find module 'node:vm'","code":"MODULE_NOT_FOUND"}`},
		{"process", `{"loaded":true}`}, // the sandboxed global
		{"os", `{"loaded":true}`},      // fixed values, nothing from the host
		{"vm", `{"loaded":false,"message":"Cannot find module 'vm'","code":"MODULE_NOT_FOUND"}`},
		{"../../go.mod", `{"loaded":false,"message":"Cannot find module '../../go.mod'","code":"MODULE_NOT_FOUND"}`},
		{"/etc/passwd", `{"loaded":false,"message":"Cannot find module '/etc/passwd'","code":"MODULE_NOT_FOUND"}`},
		{"util", `{"loaded":true}`},
		{"node:url", `{"loaded":true}`},
		{"buffer@6.0.3", `{"loaded":true}`},
		{"greeter@1.0.0", `{"loaded":true}`},
	}
	greeter := func(vm *goja.Runtime, module *goja.Object) {
		_ = module.Get("exports").(*goja.Object).Set("hello", "world")
	}
	e := enginetest.New(t, engine.WithModule("greeter", greeter))
	for _, tt := range tests {
		t.Run(tt.module, func(t *testing.T) {
			res, err := e.Run(context.Background(), engine.Hook{Trigger: triggers.PreUserRegistration, Script: script(t, "errors/require-denied.js"),
				Secrets: map[string]string{"MODULE": tt.module}}, input(t, triggers.PreUserRegistration))
			if err != nil || !jsonEqual(t, res.Envelope.Data, tt.want) {
				t.Errorf("%v %s, want %s", err, res.Envelope.Data, tt.want)
			}
		})
	}
	res, err := e.Run(context.Background(), engine.Hook{Trigger: triggers.PreUserRegistration,
		Script: `module.exports = (u, c, cb) => cb(null, {env: Object.keys(process.env).length, hello: require('greeter').hello})`},
		input(t, triggers.PreUserRegistration))
	if err != nil || !jsonEqual(t, res.Envelope.Data, `{"env":0,"hello":"world"}`) {
		t.Errorf("process.env must be empty: %v %s", err, res.Envelope.Data)
	}
}

func TestPanicInModuleIsContained(t *testing.T) {
	boom := func(vm *goja.Runtime, module *goja.Object) { panic(errors.New("module bug")) }
	e, logs := enginetest.NewObserved(t, engine.WithModule("boom", boom))
	res, err := e.Run(context.Background(), engine.Hook{Trigger: triggers.PreUserRegistration,
		Script: `module.exports = (u, c, cb) => { require('boom'); cb(); }`}, input(t, triggers.PreUserRegistration))
	if !errors.Is(err, engine.ErrInternal) {
		t.Fatalf("err = %v, want ErrInternal", err)
	}
	if d := data(t, res.Envelope.Data); d["code"] != "internal_error" {
		t.Errorf("envelope = %v", d)
	}
	if logs.FilterMessage("internal error while running a hook").Len() != 1 {
		t.Error("the panic was not logged")
	}
	ok, err := e.Run(context.Background(), engine.Hook{Trigger: triggers.PreUserRegistration, Script: script(t, "pre-user-registration/starter.js")},
		input(t, triggers.PreUserRegistration))
	if err != nil || !ok.Envelope.Succeeded() {
		t.Errorf("engine unusable after a panic: %v", err)
	}
}

func TestStackTracesNameTheHook(t *testing.T) {
	e := enginetest.New(t)
	for _, tc := range []struct{ name, file string }{
		{"", "hook.js:2:"},
		{"deny-bots", "deny-bots.js:2:"},
		{"Deny Bots/v2", "Deny-Bots-v2.js:2:"},
		{"x.js", "x.js:2:"},
	} {
		res, err := e.Run(context.Background(), engine.Hook{Name: tc.name, Trigger: triggers.PreUserRegistration,
			Script: "module.exports = function (user, context, cb) {\n  cb(new Error('no'));\n};"}, input(t, triggers.PreUserRegistration))
		if err != nil {
			t.Fatal(err)
		}
		if s, _ := data(t, res.Envelope.Data)["stack"].(string); !strings.Contains(s, tc.file) {
			t.Errorf("name %q: stack %q does not mention %s", tc.name, s, tc.file)
		}
	}
}

// TestForget drops one hook's program and warm runtimes, and only its: the
// hook's next run starts cold, with module-level state gone.
func TestForget(t *testing.T) {
	e := enginetest.New(t)
	in := input(t, triggers.PreUserRegistration)
	a := engine.Hook{ID: "01GBPZWEFDT9RFR6PN6939RZZE", Name: "counter", Trigger: triggers.PreUserRegistration, Script: script(t, "isolation/counter.js")}
	b := a
	b.ID, b.Name = "01GBPZWEFDT9RFR6PN6939RZZF", "counter-2"
	for _, h := range []engine.Hook{a, a, b} {
		if _, err := e.Run(context.Background(), h, in); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		forget                 string
		wantPrograms, wantIdle int
	}{
		{"", 2, 2},
		{"01GBPZWEFDT9RFR6PN6939RZZZ", 2, 2},
		{a.ID, 1, 1},
		{a.ID, 1, 1},
		{b.ID, 0, 0},
	}
	for _, tt := range tests {
		e.Forget(tt.forget)
		if st := e.Stats(); st.CachedPrograms != tt.wantPrograms || st.IdleRuntimes != tt.wantIdle {
			t.Errorf("after Forget(%q): %d programs, %d idle runtimes; want %d, %d", tt.forget, st.CachedPrograms, st.IdleRuntimes, tt.wantPrograms, tt.wantIdle)
		}
	}
	res, err := e.Run(context.Background(), a, in)
	if err != nil || !jsonEqual(t, res.Envelope.Data, `{"count":1}`) {
		t.Errorf("run after Forget: %v %s, want a fresh count", err, res.Envelope.Data)
	}
}
