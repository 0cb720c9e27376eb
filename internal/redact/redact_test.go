package redact_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/dop251/goja"

	"github.com/hookengine/hookengine/internal/redact"
)

// awkward are secret values with every character encoders escape.
var awkward = []string{
	`it's a "quoted" key`,
	`back\slash\\path`,
	"line1\nline2\r\tend",
	"sep\u2028para\u2029end",
	`<script>&amp;</script>`,
	"clé-secrète-日本-🔑",
	"ctl\x01\x08\x0c\x1b\x7fchars",
	"a'b\"c\\d\ne\u2028f<g>&hé\x01",
}

// encoders turn a string into the text an output holds, each as a real
// encoder of the kind the engine's output passes through would.
var encoders = map[string]func(t *testing.T, s string) string{
	"as it is": func(_ *testing.T, s string) string { return s },
	"json.Marshal": func(t *testing.T, s string) string {
		b, err := json.Marshal(map[string]any{"k": s, "list": []string{"x", s}})
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	},
	"json.Encoder without HTML escaping": func(t *testing.T, s string) string {
		var b strings.Builder
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(map[string]string{"k": "before " + s + " after"}); err != nil {
			t.Fatal(err)
		}
		return b.String()
	},
	"JSON.stringify": func(t *testing.T, s string) string {
		vm := goja.New()
		_ = vm.Set("s", s)
		v, err := vm.RunString(`JSON.stringify({k: s, nested: [1, {deeper: "x" + s + "y"}]})`)
		if err != nil {
			t.Fatal(err)
		}
		return v.String()
	},
	"JSON.stringify indented": func(t *testing.T, s string) string {
		vm := goja.New()
		_ = vm.Set("s", s)
		v, err := vm.RunString(`JSON.stringify({k: s}, null, 2)`)
		if err != nil {
			t.Fatal(err)
		}
		return v.String()
	},
}

func TestValueRedactsEveryEncoding(t *testing.T) {
	for _, secret := range awkward {
		r := redact.New(secret, "another-secret")
		for name, enc := range encoders {
			t.Run(name+"/"+secret, func(t *testing.T) {
				text := enc(t, secret)
				got := r.Value(text)
				for _, f := range redact.Forms(secret) {
					if strings.Contains(got, f) {
						t.Errorf("Value(%q) = %q still holds %q", text, got, f)
					}
				}
				if !strings.Contains(got, redact.Mask) {
					t.Errorf("Value(%q) = %q, want %s in it", text, got, redact.Mask)
				}
			})
		}
	}
}

func TestJSON(t *testing.T) {
	const secret = "s3cr3t\u2028\"<&>'\\x"
	r := redact.New(secret)
	quoted, _ := json.Marshal(secret)
	tests := []struct {
		desc, in, want string
	}{
		{"string value", `{"k":` + string(quoted) + `}`, `{"k":"[REDACTED]"}`},
		{"inside a longer string", `{"k":"before ` + strings.Trim(string(quoted), `"`) + ` after"}`, `{"k":"before [REDACTED] after"}`},
		{"raw U+2028 in the text", "{\"k\":\"s3cr3t\u2028\\\"<&>'\\\\x\"}", `{"k":"[REDACTED]"}`},
		{"as a key", `{` + string(quoted) + `:1}`, `{"[REDACTED]":1}`},
		{"unicode escapes everywhere", `["\u0073\u0033cr3t\u2028\"\u003c\u0026\u003e'\\x"]`, `["[REDACTED]"]`},
		{"order, numbers and literals kept", `{"b":1.50,"a":[true,null,-0,1e400],"c":{}}`, `{"b":1.50,"a":[true,null,-0,1e400],"c":{}}`},
		{"nothing to redact is re-encoded compact", "{ \"k\" : [ 1 , 2 ] }", `{"k":[1,2]}`},
		{"other strings escape U+2028", "\"a\u2028b\"", `"a\u2028b"`},
		{"secret spread over the structure", `{"a":"s3cr3t","b":"x"}`, `{"a":"s3cr3t","b":"x"}`},
		{"not JSON is redacted as text", `oops ` + secret, `oops [REDACTED]`},
		{"trailing data is redacted as text", `{} ` + string(quoted), `{} "[REDACTED]"`},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			if got := string(r.JSON([]byte(tt.in))); got != tt.want {
				t.Errorf("JSON(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
	// A secret the script split into two strings and the punctuation
	// between them: the whole document is masked.
	split := redact.New(`ab","cd`)
	if got := string(split.JSON([]byte(`["ab","cd"]`))); got != `"[REDACTED]"` {
		t.Errorf("split secret: JSON = %q, want the whole document masked", got)
	}
}

func TestMinLen(t *testing.T) {
	tests := []struct {
		secret string
		redact bool
	}{
		{"", false},
		{"abc", false},
		{"日本語", false}, // 9 bytes, 3 characters
		{"abcd", true},
		{"éééé", true},
	}
	for _, tt := range tests {
		r := redact.New(tt.secret)
		got := r.Value("x " + tt.secret + " y")
		if redacted := got == "x "+redact.Mask+" y"; redacted != tt.redact {
			t.Errorf("secret %q: Value = %q, redacted %v, want %v", tt.secret, got, redacted, tt.redact)
		}
	}
	var none *redact.Redactor
	if none.Value("abc") != "abc" || string(none.JSON([]byte(`{"a":1}`))) != `{"a":1}` || none.Contains("abc") {
		t.Error("a nil Redactor changed its input")
	}
}

func TestLongerSecretWins(t *testing.T) {
	r := redact.New("token", "token-with-suffix")
	if got := r.Value("a token-with-suffix b token"); got != "a [REDACTED] b [REDACTED]" {
		t.Errorf("Value = %q", got)
	}
}
