package sandbox_test

import (
	"strings"
	"testing"
)

// redactingHost is a recorder that redacts one value, as an engine does
// with a hook's secrets.
type redactingHost struct {
	recorder
	secret string
}

func (h *redactingHost) Redact(s string) string { return strings.ReplaceAll(s, h.secret, "[R]") }

// TestFormatRedactsBeforeQuoting checks that Format and Inspect hand every
// string they quote to a Host that is a sandbox.Redactor before escaping
// it, so the escaped form of a secret never reaches Console; the Host
// itself sees strings printed without quotes as they are.
func TestFormatRedactsBeforeQuoting(t *testing.T) {
	secret := "a'b\"c\\d\ne\tf\x01g"
	tests := []struct {
		desc, src, want string
	}{
		{"object value", `console.log({k: s})`, "info: { k: '[R]' }"},
		{"array item", `console.log([s, 1])`, "info: [ '[R]', 1 ]"},
		{"object key", `console.log({[s]: 1})`, "info: { '[R]': 1 }"},
		{"nested", `console.log({a: {b: [s]}})`, "info: { a: { b: [ '[R]' ] } }"},
		{"map", `console.log(new Map([[s, s]]))`, "info: Map(1) { '[R]' => '[R]' }"},
		{"%o", `console.log('%o', {k: s})`, "info: { k: '[R]' }"},
		{"dir", `console.dir([s])`, "info: [ '[R]' ]"},
		{"unquoted string", `console.log(s)`, "info: [R]"},
		{"in a format string", `console.log('key=' + s + ' %s', 1)`, "info: key=[R] 1"},
		{"%s", `console.log('%s!', s)`, "info: [R]!"},
		{"error", `console.log(String(new Error(s)))`, "info: Error: [R]"},
		{"String object", `console.log([new String(s)])`, "info: [ [R] ]"},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			rt := newRuntime(t, nil)
			h := &redactingHost{secret: secret}
			begin(t, rt, t.Context(), roomy, h)
			mustRun(t, rt, "var s = "+jsString(secret)+";")
			mustRun(t, rt, tt.src)
			if got := h.lines(); len(got) != 1 || got[0] != tt.want {
				t.Errorf("console = %q, want %q", got, tt.want)
			}
		})
	}
}

// TestFormatRedactsBeforeCutting checks that a secret near the end of
// console output's size bound is redacted before the output is cut, so no
// part of it shows.
func TestFormatRedactsBeforeCutting(t *testing.T) {
	secret := "a'b\"c\\d\ne\tf\x01g"
	for _, src := range []string{
		`console.log('x'.repeat(16380) + s)`,
		`console.log('x'.repeat(16380), s)`,
		`console.log(new Error('x'.repeat(16373) + s))`,
	} {
		rt := newRuntime(t, nil)
		h := &redactingHost{secret: secret}
		begin(t, rt, t.Context(), roomy, h)
		mustRun(t, rt, "var s = "+jsString(secret)+";")
		mustRun(t, rt, src)
		if got := h.lines(); len(got) != 1 || strings.Contains(got[0], "a'b") {
			t.Errorf("%s: console shows part of the secret: %q", src, got)
		}
	}
}

// jsString is s as a JavaScript string literal.
func jsString(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`, "\t", `\t`, "\x01", `\x01`)
	return `"` + r.Replace(s) + `"`
}
