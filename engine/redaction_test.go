package engine_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/dop251/goja"

	"github.com/hookengine/hookengine/engine"
	"github.com/hookengine/hookengine/enginetest"
	"github.com/hookengine/hookengine/triggers"
)

// redactionSecrets are secret values with every character an encoder
// escapes, each with the form util.inspect gives it between single quotes,
// written out by hand.
var redactionSecrets = []struct {
	desc    string
	value   string
	inspect string
}{
	{"quotes", `it's a "quoted" key`, `it\'s a "quoted" key`},
	{"backslashes", `back\slash\\path`, `back\\slash\\\\path`},
	{"newline and tab", "line1\nline2\tend", `line1\nline2\tend`},
	{"line and paragraph separators", "sep\u2028para\u2029end", "sep\u2028para\u2029end"},
	{"html", `<script>&amp;</script>`, `<script>&amp;</script>`},
	{"non-ascii", "clé-secrète-日本-🔑", "clé-secrète-日本-🔑"},
	{"control characters", "ctl\x01\x1b\x7fchars", `ctl\x01\x1b` + "\x7fchars"},
	{"everything", "a'b\"c\\d\ne\u2028f<g>&hé\x01", `a\'b"c\\d\ne` + "\u2028" + `f<g>&hé\x01`},
}

// encodedForms are the forms value takes in encoded text, computed with
// real encoders: Go's encoding/json with and without HTML escaping, and
// JavaScript's JSON.stringify.
func encodedForms(t *testing.T, value, inspect string) []string {
	t.Helper()
	inner := func(b []byte) string { return strings.TrimSuffix(strings.TrimPrefix(string(b), `"`), `"`) }
	marshalled, err := json.Marshal(value)
	if err != nil {
		t.Fatal(err)
	}
	var sb strings.Builder
	enc := json.NewEncoder(&sb)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(value); err != nil {
		t.Fatal(err)
	}
	vm := goja.New()
	_ = vm.Set("s", value)
	js, err := vm.RunString("JSON.stringify(s)")
	if err != nil {
		t.Fatal(err)
	}
	return []string{value, inspect, inner(marshalled), inner([]byte(strings.TrimSpace(sb.String()))), inner([]byte(js.String()))}
}

func assertNoSecret(t *testing.T, where, text string, forms []string) {
	t.Helper()
	for _, f := range forms {
		if strings.Contains(text, f) {
			t.Errorf("%s holds the secret as %q: %q", where, f, text)
		}
	}
}

func TestSecretRedaction(t *testing.T) {
	src := script(t, "redaction/every-form.js")
	in := input(t, triggers.PreUserRegistration)
	for _, sec := range redactionSecrets {
		t.Run(sec.desc, func(t *testing.T) {
			e, logs := enginetest.NewObserved(t)
			forms := encodedForms(t, sec.value, sec.inspect)
			res, err := e.Run(t.Context(), engine.Hook{ID: "h1", Name: "every-form", Trigger: triggers.PreUserRegistration,
				Script: src, Secrets: map[string]string{"S": sec.value, "OTHER": "unrelated-value"}}, in)
			if err != nil {
				t.Fatalf("Run: %v", err)
			}
			redacted := 0
			for i, l := range res.Logs {
				assertNoSecret(t, fmt.Sprintf("Result.Logs[%d]", i), l.Message, forms)
				if strings.Contains(l.Message, "[REDACTED]") {
					redacted++
				}
			}
			// Every console call of the script but none prints the secret;
			// the unhandled rejection is logged at the end of the turn.
			if want := 16; redacted < want {
				t.Errorf("%d console lines show [REDACTED], want at least %d: %q", redacted, want, res.Logs)
			}
			for _, entry := range logs.All() {
				assertNoSecret(t, "log message", entry.Message, forms)
				for k, v := range entry.ContextMap() {
					assertNoSecret(t, "log field "+k, fmt.Sprint(v), forms)
				}
			}
			// The envelope is the hook's answer, kept as it called back:
			// an auth server acts on it. What shows it redacts it.
			var data struct{ Message string }
			if err := json.Unmarshal(res.Envelope.Data, &data); err != nil || data.Message != "denied: "+sec.value {
				t.Errorf("envelope message = %q (%v), want the hook's own", data.Message, err)
			}
		})
	}
}

func TestSecretRedactionInErrors(t *testing.T) {
	src := script(t, "redaction/throws-secret.js")
	in := input(t, triggers.PreUserRegistration)
	for _, sec := range redactionSecrets {
		t.Run(sec.desc, func(t *testing.T) {
			e, logs := enginetest.NewObserved(t)
			forms := encodedForms(t, sec.value, sec.inspect)
			_, err := e.Run(t.Context(), engine.Hook{ID: "h2", Name: "throws-secret", Trigger: triggers.PreUserRegistration,
				Script: src, Secrets: map[string]string{"S": sec.value}}, in)
			var se *engine.ScriptError
			if !errors.As(err, &se) {
				t.Fatalf("Run error = %v, want a *ScriptError", err)
			}
			assertNoSecret(t, "error", err.Error(), forms)
			assertNoSecret(t, "ScriptError.Message", se.Message, forms)
			assertNoSecret(t, "ScriptError.Stack", se.Stack, forms)
			if se.Message != "bad key [REDACTED]" {
				t.Errorf("ScriptError.Message = %q", se.Message)
			}
			if !strings.HasPrefix(se.Stack, "TypeError: bad key [REDACTED]\n    at check (throws-secret.js:") {
				t.Errorf("ScriptError.Stack = %q", se.Stack)
			}
			for _, entry := range logs.All() {
				assertNoSecret(t, "log message", entry.Message, forms)
				for k, v := range entry.ContextMap() {
					assertNoSecret(t, "log field "+k, fmt.Sprint(v), forms)
				}
			}
		})
	}
}

// goFrame matches what stack traces must not show: Go package paths and
// names, goja's program counters, the engine's own sources.
var goFrame = regexp.MustCompile(`github\.com|dop251|goja|-fm\b|\(\*|hookengine:|:\d+\(\d+\)|\tat `)

func TestStackTraces(t *testing.T) {
	in := input(t, triggers.PreUserRegistration)
	e := enginetest.New(t)
	res, err := e.Run(t.Context(), engine.Hook{Name: "stacks", Trigger: triggers.PreUserRegistration,
		Script: script(t, "redaction/stacks.js")}, in)
	var se *engine.ScriptError
	if !errors.As(err, &se) {
		t.Fatalf("Run error = %v, want a *ScriptError", err)
	}
	var data struct{ Stack string }
	if err := json.Unmarshal(res.Envelope.Data, &data); err != nil {
		t.Fatal(err)
	}
	texts := map[string]string{"envelope stack": data.Stack, "ScriptError.Stack": se.Stack}
	for i, l := range res.Logs {
		texts[fmt.Sprintf("console line %d", i)] = l.Message
	}
	if len(res.Logs) != 3 {
		t.Errorf("%d console lines, want 3: %q", len(res.Logs), res.Logs)
	}
	for where, text := range texts {
		if m := goFrame.FindString(text); m != "" {
			t.Errorf("%s shows %q: %q", where, m, text)
		}
		native := strings.Contains(text, "\n    at native\n") || strings.Contains(text, " (native)\n")
		if !native || !strings.Contains(text, "    at stacks.js:") {
			t.Errorf("%s has not the frames of a Node stack: %q", where, text)
		}
	}
	if want := "SyntaxError: Unexpected end of JSON input (EOF)\n    at native\n    at stacks.js:"; !strings.HasPrefix(data.Stack, want) {
		t.Errorf("envelope stack = %q, want it to start with %q", data.Stack, want)
	}
}

func TestNoGoNamesReachScripts(t *testing.T) {
	res, err := enginetest.Run(t, triggers.PreUserRegistration, script(t, "isolation/go-names.js"), input(t, triggers.PreUserRegistration))
	if err != nil {
		t.Fatal(err)
	}
	if !jsonEqual(t, res.Envelope.Data, `{"user":{"app_metadata":{"bad":[],"count":0}}}`) {
		t.Errorf("functions named after Go symbols: %s", res.Envelope.Data)
	}
}
