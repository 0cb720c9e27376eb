package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/hookengine/hookengine/triggers"
)

// result is the output of hooks run, as tests read it.
type result struct {
	Status      string          `json:"status"`
	Data        json.RawMessage `json:"data"`
	Logs        []logLine       `json:"logs"`
	DurationMS  *float64        `json:"duration_ms"`
	ExecutionID string          `json:"execution_id"`
	Error       *string         `json:"error"`

	raw map[string]json.RawMessage
}

// data decodes the result's data into a generic value.
func (r *result) data(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.Data, &m); err != nil {
		t.Fatalf("data %s is not an object: %v", r.Data, err)
	}
	return m
}

// lookup walks a path of object keys in v.
func lookup(v any, path ...string) any {
	for _, k := range path {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

func fixture(parts ...string) string {
	return filepath.Join(append([]string{"..", "..", "testdata"}, parts...)...)
}

func hookFile(trigger, name string) string { return fixture("hooks", trigger, name+".js") }

func inputFile(t *testing.T, trigger string) string {
	t.Helper()
	b, err := os.ReadFile(fixture("inputs", trigger+".json"))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// writeScript writes a hook script into a temporary directory.
func writeScript(t *testing.T, name, src string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(src), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// hooks calls run as main would, with stdin as input.
func hooks(stdin string, args ...string) (code int, stdout, stderr string) {
	var out, errb bytes.Buffer
	code = run(args, strings.NewReader(stdin), &out, &errb)
	return code, out.String(), errb.String()
}

// parseResult checks that stdout is exactly one JSON object on one line and
// decodes it.
func parseResult(t *testing.T, stdout string) *result {
	t.Helper()
	if !strings.HasSuffix(stdout, "\n") || strings.Count(stdout, "\n") != 1 {
		t.Fatalf("stdout is not one line: %q", stdout)
	}
	var r result
	dec := json.NewDecoder(strings.NewReader(stdout))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&r); err != nil {
		t.Fatalf("stdout is not a result: %v\n%s", err, stdout)
	}
	if err := json.Unmarshal([]byte(stdout), &r.raw); err != nil {
		t.Fatal(err)
	}
	if r.Logs == nil {
		t.Errorf(`"logs" is missing or null, want an array: %s`, stdout)
	}
	if r.DurationMS == nil || *r.DurationMS < 0 {
		t.Errorf(`"duration_ms" missing or negative: %s`, stdout)
	}
	if len(r.ExecutionID) != 26 {
		t.Errorf(`"execution_id" %q is not a 26-character id`, r.ExecutionID)
	}
	return &r
}

func TestRunHooks(t *testing.T) {
	t.Parallel()
	adminScope := strings.Replace(inputFile(t, "credentials-exchange"), `"update:users"`, `"admin"`, 1)
	if !strings.Contains(adminScope, `"admin"`) {
		t.Fatal("could not add admin to the credentials-exchange scope")
	}
	undefinedScript := writeScript(t, "undefined.js", `module.exports = function (client, scope, audience, context, cb) {
  console.warn('no token changes');
  cb();
};`)
	htmlScript := writeScript(t, "html.js", `module.exports = function (client, scope, audience, context, cb) {
  cb(null, { 'https://example.com/note': '<b>&amp;</b> \u2028 é' });
};`)

	tests := []struct {
		name  string
		args  []string
		stdin string
		code  int
		// check looks at the parsed result, beyond the exit status.
		check func(t *testing.T, r *result, stdout string)
	}{{
		name:  "pre-user-registration metadata",
		args:  []string{"run", "--trigger", "pre-user-registration", hookFile("pre-user-registration", "metadata")},
		stdin: inputFile(t, "pre-user-registration"),
		code:  0,
		check: func(t *testing.T, r *result, _ string) {
			d := r.data(t)
			if got := lookup(d, "user", "app_metadata", "plan"); got != "enterprise" {
				t.Errorf("app_metadata.plan = %v, want enterprise", got)
			}
			if got := lookup(d, "user", "user_metadata", "language"); got != "fr" {
				t.Errorf("user_metadata.language = %v, want fr", got)
			}
			if got := lookup(d, "user", "user_metadata", "signup_ip"); got != "2001:db8::1" {
				t.Errorf("user_metadata.signup_ip = %v, want 2001:db8::1", got)
			}
			if len(r.Logs) != 0 {
				t.Errorf("logs = %v, want none", r.Logs)
			}
		},
	}, {
		name:  "pre-user-registration Action",
		args:  []string{"run", "--trigger", "pre-user-registration", hookFile("actions/pre-user-registration", "metadata")},
		stdin: inputFile(t, "pre-user-registration"),
		code:  0,
		check: func(t *testing.T, r *result, _ string) {
			if got := lookup(r.data(t), "user", "user_metadata", "screen_name"); got != "ada" {
				t.Errorf("user_metadata.screen_name = %v, want ada", got)
			}
		},
	}, {
		name:  "bare function, form given",
		args:  []string{"run", "--trigger", "pre-user-registration", "--form", "rule", hookFile("rules", "pre-user-registration")},
		stdin: inputFile(t, "pre-user-registration"),
		code:  0,
		check: func(t *testing.T, r *result, _ string) {
			if got := lookup(r.data(t), "user", "app_metadata", "plan"); got != "free" {
				t.Errorf("app_metadata.plan = %v, want free", got)
			}
		},
	}, {
		name:  "Action form asked, hook given",
		args:  []string{"run", "--trigger", "pre-user-registration", "--form=action", hookFile("pre-user-registration", "metadata")},
		stdin: inputFile(t, "pre-user-registration"),
		code:  1,
		check: func(t *testing.T, r *result, _ string) {
			if got := lookup(r.data(t), "message"); got != "The Action must export onExecutePreUserRegistration as a function" {
				t.Errorf("message = %v", got)
			}
		},
	}, {
		name:  "byte order mark before the input",
		args:  []string{"run", "--trigger", "pre-user-registration", hookFile("pre-user-registration", "metadata")},
		stdin: "\uFEFF" + inputFile(t, "pre-user-registration"),
		code:  0,
	}, {
		name:  "flags after SCRIPT",
		args:  []string{"run", hookFile("pre-user-registration", "metadata"), "--trigger=pre-user-registration", "--cpu", "1s"},
		stdin: inputFile(t, "pre-user-registration"),
		code:  0,
	}, {
		name:  "credentials-exchange allowed scope",
		args:  []string{"run", "--trigger", "credentials-exchange", hookFile("credentials-exchange", "invalid-scope")},
		stdin: inputFile(t, "credentials-exchange"),
		code:  0,
		check: func(t *testing.T, r *result, _ string) {
			scope, _ := lookup(r.data(t), "scope").([]any)
			if len(scope) != 2 || scope[0] != "read:users" || scope[1] != "update:users" {
				t.Errorf("scope = %v, want [read:users update:users]", scope)
			}
		},
	}, {
		name:  "credentials-exchange InvalidScopeError",
		args:  []string{"run", "--trigger", "credentials-exchange", hookFile("credentials-exchange", "invalid-scope")},
		stdin: adminScope,
		code:  1,
		check: func(t *testing.T, r *result, _ string) {
			d := r.data(t)
			if d["name"] != "InvalidScopeError" || d["message"] != "Scope is not permitted." {
				t.Errorf("data = %s, want an InvalidScopeError", r.Data)
			}
			if r.Error != nil {
				t.Errorf("error = %q, want none: the hook called back", *r.Error)
			}
		},
	}, {
		name:  "compile error",
		args:  []string{"run", "--trigger", "pre-user-registration", hookFile("errors", "compile-error")},
		stdin: inputFile(t, "pre-user-registration"),
		code:  1,
		check: func(t *testing.T, r *result, _ string) {
			if got := r.data(t)["code"]; got != "compile_error" {
				t.Errorf("data.code = %v, want compile_error", got)
			}
			if r.Error == nil || !strings.Contains(*r.Error, "SyntaxError") || !strings.Contains(*r.Error, `"compile-error"`) {
				t.Errorf("error = %v, want the SyntaxError of hook compile-error", r.Error)
			}
		},
	}, {
		name:  "exception",
		args:  []string{"run", "--trigger", "pre-user-registration", hookFile("errors", "throw-sync")},
		stdin: inputFile(t, "pre-user-registration"),
		code:  1,
		check: func(t *testing.T, r *result, _ string) {
			if r.Error == nil || !strings.Contains(*r.Error, "cannot handle 2 parts") {
				t.Errorf("error = %v, want the thrown TypeError", r.Error)
			}
		},
	}, {
		name:  "infinite loop stopped by --cpu",
		args:  []string{"run", "--trigger", "pre-user-registration", "--cpu", "100ms", hookFile("limits", "infinite-loop")},
		stdin: inputFile(t, "pre-user-registration"),
		code:  1,
		check: func(t *testing.T, r *result, _ string) {
			d := r.data(t)
			if d["code"] != "cpu_time_exceeded" || d["limit"] != "100ms" {
				t.Errorf("data = %s, want cpu_time_exceeded with limit 100ms", r.Data)
			}
			if r.Error == nil {
				t.Error("error missing")
			}
			if *r.DurationMS > 10000 {
				t.Errorf("duration_ms = %v, want about 100", *r.DurationMS)
			}
		},
	}, {
		name:  "sleep stopped by --timeout",
		args:  []string{"run", "--trigger", "pre-user-registration", "--timeout", "200ms", hookFile("limits", "sleep")},
		stdin: inputFile(t, "pre-user-registration"),
		code:  1,
		check: func(t *testing.T, r *result, _ string) {
			d := r.data(t)
			if d["code"] != "wall_time_exceeded" || d["limit"] != "200ms" {
				t.Errorf("data = %s, want wall_time_exceeded with limit 200ms", r.Data)
			}
		},
	}, {
		name:  "no callback",
		args:  []string{"run", "--trigger", "pre-user-registration", hookFile("limits", "no-callback")},
		stdin: inputFile(t, "pre-user-registration"),
		code:  1,
		check: func(t *testing.T, r *result, _ string) {
			want := []logLine{{Level: "info", Message: "forgot to call back"}}
			if len(r.Logs) != 1 || r.Logs[0] != want[0] {
				t.Errorf("logs = %v, want %v", r.Logs, want)
			}
			if got := r.data(t)["code"]; got != "no_callback" {
				t.Errorf("data.code = %v, want no_callback", got)
			}
		},
	}, {
		name:  "secret reaches context.webtask.secrets",
		args:  []string{"run", "--trigger", "pre-user-registration", "--secret", "API_KEY=ab=cd=ef", "--secret", "OTHER=", hookFile("pre-user-registration", "secrets")},
		stdin: inputFile(t, "pre-user-registration"),
		code:  0,
		check: func(t *testing.T, r *result, stdout string) {
			d := r.data(t)
			if got := lookup(d, "user", "app_metadata", "key_length"); got != float64(len("ab=cd=ef")) {
				t.Errorf("key_length = %v, want %d", got, len("ab=cd=ef"))
			}
			if got := lookup(d, "user", "app_metadata", "key_prefix"); got != "ab" {
				t.Errorf("key_prefix = %v, want ab", got)
			}
			if len(r.Logs) != 1 || !strings.HasPrefix(r.Logs[0].Message, "using key ") {
				t.Errorf("logs = %v, want the using key line", r.Logs)
			}
			if strings.Contains(stdout, "ab=cd=ef") {
				t.Errorf("the secret's value is in the output: %s", stdout)
			}
		},
	}, {
		name:  "input rejected by the trigger",
		args:  []string{"run", "--trigger", "pre-user-registration", hookFile("pre-user-registration", "metadata")},
		stdin: `{"user":{}}`,
		code:  1,
		check: func(t *testing.T, r *result, _ string) {
			d := r.data(t)
			if d["code"] != "invalid_input" || d["message"] != "Body.context received by extensibility point is not an object" {
				t.Errorf("data = %s, want the invalid_input error", r.Data)
			}
			if r.Error == nil {
				t.Error("error missing")
			}
		},
	}, {
		name:  "JSON that is not an object",
		args:  []string{"run", "--trigger", "send-phone-message", hookFile("send-phone-message", "provider")},
		stdin: `[1, 2]`,
		code:  1,
	}, {
		name:  "send-phone-message",
		args:  []string{"run", "--trigger", "send-phone-message", hookFile("send-phone-message", "provider")},
		stdin: inputFile(t, "send-phone-message"),
		code:  0,
		check: func(t *testing.T, r *result, _ string) {
			d := r.data(t)
			if d["MessageID"] != "msg-1" || d["to"] != "+15555550100" {
				t.Errorf("data = %s, want message msg-1 to +15555550100", r.Data)
			}
		},
	}, {
		name:  "post-user-registration error",
		args:  []string{"run", "--trigger", "post-user-registration", hookFile("post-user-registration", "fail")},
		stdin: inputFile(t, "post-user-registration"),
		code:  1,
	}, {
		name:  "post-change-password",
		args:  []string{"run", "--trigger", "post-change-password", hookFile("post-change-password", "audit")},
		stdin: inputFile(t, "post-change-password"),
		code:  0,
	}, {
		name:  "callback with undefined leaves data out",
		args:  []string{"run", "--trigger", "credentials-exchange", undefinedScript},
		stdin: inputFile(t, "credentials-exchange"),
		code:  0,
		check: func(t *testing.T, r *result, _ string) {
			if _, ok := r.raw["data"]; ok {
				t.Errorf("data = %s, want no data field", r.Data)
			}
			want := logLine{Level: "warn", Message: "no token changes"}
			if len(r.Logs) != 1 || r.Logs[0] != want {
				t.Errorf("logs = %v, want [%v]", r.Logs, want)
			}
		},
	}, {
		name:  "data is written as the engine produced it",
		args:  []string{"run", "--trigger", "credentials-exchange", htmlScript},
		stdin: inputFile(t, "credentials-exchange"),
		code:  0,
		check: func(t *testing.T, r *result, stdout string) {
			if want := `"data":{"https://example.com/note":"<b>&amp;</b> ` + "\u2028" + ` é"}`; !strings.Contains(stdout, want) {
				t.Errorf("stdout = %s, want it to contain %s", stdout, want)
			}
		},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			start := time.Now()
			code, stdout, stderr := hooks(tt.stdin, tt.args...)
			if code != tt.code {
				t.Errorf("exit status %d, want %d\nstdout: %s\nstderr: %s", code, tt.code, stdout, stderr)
			}
			if stderr != "" {
				t.Errorf("stderr = %q, want nothing without --verbose", stderr)
			}
			r := parseResult(t, stdout)
			wantStatus := "success"
			if tt.code != 0 {
				wantStatus = "error"
			}
			if r.Status != wantStatus {
				t.Errorf("status = %q, want %q", r.Status, wantStatus)
			}
			if tt.check != nil {
				tt.check(t, r, stdout)
			}
			if d := time.Since(start); d > 15*time.Second {
				t.Errorf("took %v", d)
			}
		})
	}
}

func TestVerbose(t *testing.T) {
	t.Parallel()
	code, stdout, stderr := hooks(inputFile(t, "pre-user-registration"),
		"run", "--verbose", "--trigger", "pre-user-registration", hookFile("pre-user-registration", "secrets"), "--secret", "API_KEY=topsecretvalue")
	if code != 0 {
		t.Fatalf("exit status %d, stderr: %s", code, stderr)
	}
	parseResult(t, stdout)
	for _, want := range []string{"DEBUG", "hook run finished", `"hook_name": "secrets"`, "using key [REDACTED]"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr does not contain %q:\n%s", want, stderr)
		}
	}
	if strings.Contains(stderr, "topsecretvalue") {
		t.Errorf("stderr shows the secret:\n%s", stderr)
	}
}

func TestUsageErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	metadata := hookFile("pre-user-registration", "metadata")
	input := inputFile(t, "pre-user-registration")
	tests := []struct {
		name  string
		args  []string
		stdin string
		want  []string // substrings of stderr
		// usage is set when stderr has the top-level usage after the
		// message rather than a single line.
		usage bool
	}{
		{name: "no arguments", args: nil, want: []string{"Usage: hooks COMMAND"}, usage: true},
		{name: "unknown command", args: []string{"frobnicate"}, want: []string{`hooks: unknown command "frobnicate"`, "Usage: hooks COMMAND"}, usage: true},
		{name: "flag before command", args: []string{"--trigger", "x", "run"}, want: []string{"hooks: unknown flag --trigger"}, usage: true},
		{name: "help of unknown command", args: []string{"help", "frobnicate"}, want: []string{`unknown command "frobnicate"`}},
		{name: "missing --trigger", args: []string{"run", metadata}, stdin: input, want: []string{"missing --trigger", "pre-user-registration"}},
		{name: "unknown trigger", args: []string{"run", "--trigger", "pre-login", metadata}, stdin: input,
			want: append([]string{`unknown trigger "pre-login"`}, triggerIDs()...)},
		{name: "unknown form", args: []string{"run", "--trigger", "pre-user-registration", "--form", "rules", metadata}, stdin: input,
			want: []string{`unknown script form "rules"`}},
		{name: "empty trigger", args: []string{"run", "--trigger=", metadata}, stdin: input, want: []string{"missing --trigger"}},
		{name: "--trigger without value", args: []string{"run", metadata, "--trigger"}, stdin: input, want: []string{"flag needs an argument", "trigger"}},
		{name: "missing SCRIPT", args: []string{"run", "--trigger", "pre-user-registration"}, stdin: input, want: []string{"missing SCRIPT"}},
		{name: "two SCRIPTs", args: []string{"run", "--trigger", "pre-user-registration", metadata, metadata}, stdin: input, want: []string{"too many arguments"}},
		{name: "SCRIPT does not exist", args: []string{"run", "--trigger", "pre-user-registration", filepath.Join(dir, "nope.js")}, stdin: input, want: []string{"cannot read SCRIPT", "nope.js"}},
		{name: "SCRIPT is a directory", args: []string{"run", "--trigger", "pre-user-registration", dir}, stdin: input, want: []string{"cannot read SCRIPT"}},
		{name: "stdin is not JSON", args: []string{"run", "--trigger", "pre-user-registration", metadata}, stdin: `{"user": {`, want: []string{"stdin is not valid JSON"}},
		{name: "stdin has trailing garbage", args: []string{"run", "--trigger", "pre-user-registration", metadata}, stdin: `{} x`, want: []string{"stdin is not valid JSON"}},
		{name: "stdin is empty", args: []string{"run", "--trigger", "pre-user-registration", metadata}, stdin: " \n", want: []string{"stdin is empty"}},
		{name: "unknown flag", args: []string{"run", "--bogus", "--trigger", "pre-user-registration", metadata}, stdin: input, want: []string{"not defined", "bogus"}},
		{name: "secret without =", args: []string{"run", "--trigger", "pre-user-registration", "--secret", "API_KEY", metadata}, stdin: input, want: []string{"secret", "NAME=VALUE"}},
		{name: "secret without name", args: []string{"run", "--trigger", "pre-user-registration", "--secret", "=value", metadata}, stdin: input, want: []string{"secret", "empty NAME"}},
		{name: "secret given twice", args: []string{"run", "--trigger", "pre-user-registration", "--secret", "A=1", "--secret", "A=2", metadata}, stdin: input, want: []string{"secret A given twice"}},
		{name: "bad --timeout", args: []string{"run", "--trigger", "pre-user-registration", "--timeout", "soon", metadata}, stdin: input, want: []string{"timeout", "invalid duration"}},
		{name: "zero --cpu", args: []string{"run", "--trigger", "pre-user-registration", "--cpu", "0s", metadata}, stdin: input, want: []string{"cpu", "must be positive"}},
		{name: "negative --timeout", args: []string{"run", "--trigger", "pre-user-registration", "--timeout", "-1s", metadata}, stdin: input, want: []string{"timeout", "must be positive"}},
		{name: "bad --allow-host", args: []string{"run", "--trigger", "pre-user-registration", "--allow-host", "10.0.0.0/99", metadata}, stdin: input, want: []string{"allow-host", "10.0.0.0/99"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			code, stdout, stderr := hooks(tt.stdin, tt.args...)
			if code != 2 {
				t.Errorf("exit status %d, want 2", code)
			}
			if stdout != "" {
				t.Errorf("stdout = %q, want nothing", stdout)
			}
			if !strings.HasPrefix(stderr, "hooks: ") && !strings.HasPrefix(stderr, "Usage: ") {
				t.Errorf("stderr does not start with \"hooks: \": %q", stderr)
			}
			if !tt.usage && strings.Count(stderr, "\n") != 1 {
				t.Errorf("stderr is not one line: %q", stderr)
			}
			for _, w := range tt.want {
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr %q does not contain %q", stderr, w)
				}
			}
		})
	}
}

func triggerIDs() []string {
	var ids []string
	for _, id := range triggers.IDs() {
		ids = append(ids, string(id))
	}
	return ids
}

func TestHelp(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{
		{"--help"}, {"-h"}, {"help"},
		{"help", "run"}, {"run", "--help"}, {"run", "-h"}, {"run", "--trigger", "nope", "--help"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			t.Parallel()
			code, stdout, stderr := hooks("", args...)
			if code != 0 || stderr != "" {
				t.Errorf("exit status %d, stderr %q; want 0 and nothing", code, stderr)
			}
			if !strings.HasPrefix(stdout, "Usage: hooks ") {
				t.Errorf("stdout is not usage:\n%s", stdout)
			}
		})
	}
}

// TestRunUsage checks that the help of run documents every flag with its
// default, every trigger with its input, the output and the exit statuses.
func TestRunUsage(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	runUsage(&b)
	text := b.String()
	fs := newRunFlags(&runOptions{})
	fs.VisitAll(func(f *flag.Flag) {
		if !strings.Contains(text, "--"+f.Name+" ") {
			t.Errorf("usage does not document --%s", f.Name)
		}
	})
	want := []string{
		"(default 20s)", "(default 2s)", "(default false", "(default: no secrets)", "(required, no default)",
		`"status"`, `"data"`, `"logs"`, `"level"`, `"message"`, `"duration_ms"`, `"execution_id"`, `"error"`,
		"Exit status", "  0  ", "  1  ", "  2  ",
	}
	for _, tr := range triggers.All() {
		want = append(want, "  "+string(tr.ID)+"\n      {")
		for _, p := range tr.Params[:len(tr.Params)-1] {
			want = append(want, `"`+p+`"`)
		}
	}
	for _, w := range want {
		if !strings.Contains(text, w) {
			t.Errorf("usage does not contain %q", w)
		}
	}
	for _, line := range strings.Split(text, "\n") {
		if len([]rune(line)) > 80 {
			t.Errorf("usage line longer than 80 columns: %q", line)
		}
	}
	var top strings.Builder
	usage(&top)
	for _, c := range commands {
		if !strings.Contains(top.String(), "  "+c.name+" ") {
			t.Errorf("top-level usage does not list %s", c.name)
		}
	}
}

func TestParseRunArgs(t *testing.T) {
	t.Parallel()
	o, err := parseRunArgs([]string{"--secret", "B=2", "hook.js", "--trigger", "send-phone-message", "--secret=A=x=y", "--timeout", "1m", "--verbose"})
	if err != nil {
		t.Fatal(err)
	}
	if o.script != "hook.js" || o.trigger != "send-phone-message" || !o.verbose ||
		time.Duration(o.timeout) != time.Minute || time.Duration(o.cpu) != 2*time.Second ||
		len(o.secrets) != 2 || o.secrets["A"] != "x=y" || o.secrets["B"] != "2" {
		t.Errorf("parsed %+v", o)
	}
	// After "--", everything is SCRIPT, even what looks like a flag.
	o, err = parseRunArgs([]string{"--trigger", "credentials-exchange", "--", "--odd-name.js"})
	if err != nil || o.script != "--odd-name.js" {
		t.Errorf("with --: %+v, %v", o, err)
	}
	if _, err := parseRunArgs([]string{"--trigger", "credentials-exchange", "--", "a.js", "--verbose"}); err == nil {
		t.Error("flags after -- were parsed as flags")
	}
	if _, err := parseRunArgs([]string{"--help"}); !errors.Is(err, flag.ErrHelp) {
		t.Errorf("--help: %v, want flag.ErrHelp", err)
	}
}

// TestBinary builds hooks and runs the binary, to check what run cannot:
// os.Exit's status, the real stdin and stdout, and signals.
func TestBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the command")
	}
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command:", err)
	}
	bin := filepath.Join(t.TempDir(), "hooks")
	if runtime.GOOS == "windows" {
		bin += ".exe"
	}
	build := exec.Command(gobin, "build", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}

	t.Run("success", func(t *testing.T) {
		in, err := os.Open(fixture("inputs", "pre-user-registration.json"))
		if err != nil {
			t.Fatal(err)
		}
		defer in.Close()
		cmd := exec.Command(bin, "run", "--trigger", "pre-user-registration", hookFile("pre-user-registration", "metadata"))
		cmd.Stdin = in
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("%v\nstderr: %s", err, stderr.String())
		}
		r := parseResult(t, string(out))
		if r.Status != "success" || lookup(r.data(t), "user", "app_metadata", "plan") != "enterprise" {
			t.Errorf("output %s", out)
		}
	})

	exitCode := func(t *testing.T, err error) int {
		t.Helper()
		var ee *exec.ExitError
		if err == nil {
			return 0
		}
		if !errors.As(err, &ee) {
			t.Fatal(err)
		}
		return ee.ExitCode()
	}

	t.Run("exit statuses", func(t *testing.T) {
		for _, tt := range []struct {
			args []string
			code int
		}{
			{[]string{"run", "--trigger", "pre-user-registration", hookFile("errors", "compile-error")}, 1},
			{[]string{"run", "--trigger", "pre-login", hookFile("errors", "compile-error")}, 2},
			{[]string{"--help"}, 0},
		} {
			cmd := exec.Command(bin, tt.args...)
			cmd.Stdin = strings.NewReader(inputFile(t, "pre-user-registration"))
			if got := exitCode(t, cmd.Run()); got != tt.code {
				t.Errorf("hooks %s: exit status %d, want %d", strings.Join(tt.args, " "), got, tt.code)
			}
		}
	})

	t.Run("SIGINT cancels the run", func(t *testing.T) {
		if runtime.GOOS == "windows" {
			t.Skip("no SIGINT on Windows")
		}
		script := writeScript(t, "hang.js", `module.exports = function (user, context, cb) {
  console.log('hook started');
  setInterval(() => {}, 1000);
};`)
		cmd := exec.Command(bin, "run", "--verbose", "--trigger", "pre-user-registration", script)
		cmd.Stdin = strings.NewReader(inputFile(t, "pre-user-registration"))
		var stdout bytes.Buffer
		cmd.Stdout = &stdout
		pipe, err := cmd.StderrPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		// With --verbose, the hook's console output reaches stderr as it is
		// written: the signal handler is in place once it does.
		started := make(chan struct{})
		done := make(chan string)
		go func() {
			var all strings.Builder
			seen := false
			sc := bufio.NewScanner(pipe)
			for sc.Scan() {
				all.WriteString(sc.Text() + "\n")
				if !seen && strings.Contains(sc.Text(), "hook started") {
					seen = true
					close(started)
				}
			}
			_, _ = io.Copy(io.Discard, pipe)
			done <- all.String()
		}()
		select {
		case <-started:
		case <-time.After(15 * time.Second):
			_ = cmd.Process.Kill()
			t.Fatalf("the hook did not start; stderr: %s", <-done)
		}
		begin := time.Now()
		if err := cmd.Process.Signal(os.Interrupt); err != nil {
			t.Fatal(err)
		}
		stderr := <-done
		code := exitCode(t, cmd.Wait())
		if code != 1 {
			t.Errorf("exit status %d, want 1; stderr: %s", code, stderr)
		}
		if d := time.Since(begin); d > 10*time.Second {
			t.Errorf("the run took %v to stop", d)
		}
		r := parseResult(t, stdout.String())
		if r.Status != "error" || r.data(t)["code"] != "cancelled" || r.Error == nil {
			t.Errorf("output %s, want the cancelled error", stdout.String())
		}
		if !strings.Contains(stderr, "hooks: interrupted") {
			t.Errorf("stderr does not report the interrupt: %s", stderr)
		}
	})
}

// --allow-host lets a hook's fetch reach a local API, which it refuses
// otherwise.
func TestAllowHost(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `{"tier":"gold"}`)
	}))
	defer srv.Close()
	script := writeScript(t, "lookup.js", `module.exports = async function (user, context, cb) {
  try {
    const res = await fetch(context.webtask.secrets.API);
    cb(null, { user: { app_metadata: await res.json() } });
  } catch (err) {
    cb(err);
  }
};`)
	input := inputFile(t, "pre-user-registration")
	for _, tc := range []struct {
		allow []string
		code  int
		want  string
	}{
		{nil, 1, "fetch failed: refused to connect to 127.0.0.1"},
		{[]string{"--allow-host", "127.0.0.1"}, 0, `{"user":{"app_metadata":{"tier":"gold"}}}`},
		{[]string{"--allow-host", "example.com", "--allow-host", "127.0.0.0/8"}, 0, `{"user":{"app_metadata":{"tier":"gold"}}}`},
	} {
		args := append([]string{"run", "--trigger", "pre-user-registration", "--secret", "API=" + srv.URL}, tc.allow...)
		code, stdout, stderr := hooks(input, append(args, script)...)
		if code != tc.code {
			t.Errorf("%v: exit %d, want %d (%s)", tc.allow, code, tc.code, stderr)
		}
		if r := parseResult(t, stdout); !strings.Contains(string(r.Data), tc.want) {
			t.Errorf("%v: data %s does not contain %s", tc.allow, r.Data, tc.want)
		}
	}
}
