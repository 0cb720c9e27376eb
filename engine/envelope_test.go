package engine_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/hookengine/hookengine/engine"
	"github.com/hookengine/hookengine/enginetest"
	"github.com/hookengine/hookengine/triggers"
)

func TestEnvelope(t *testing.T) {
	pre := input(t, triggers.PreUserRegistration)
	cce := input(t, triggers.CredentialsExchange)
	tests := []struct {
		desc    string
		trigger triggers.ID
		script  string
		secrets map[string]string
		status  triggers.Status
		data    string // JSON; "" for no data
		// props lists properties the error data must have (stack is
		// checked for presence only).
		props []string
	}{
		{desc: "first value after error", trigger: triggers.PreUserRegistration,
			script: `module.exports = (u, c, cb) => cb(null, {user: {app_metadata: {a: 1}}}, {ignored: true})`,
			status: triggers.StatusSuccess, data: `{"user":{"app_metadata":{"a":1}}}`},
		{desc: "cb() on a user point gives {}", trigger: triggers.PreUserRegistration,
			script: `module.exports = (u, c, cb) => cb()`, status: triggers.StatusSuccess, data: `{}`},
		{desc: "cb(null, null) on a user point gives {}", trigger: triggers.PreUserRegistration,
			script: `module.exports = (u, c, cb) => cb(null, null)`, status: triggers.StatusSuccess, data: `{}`},
		{desc: "cb() on credentials-exchange gives no data", trigger: triggers.CredentialsExchange,
			script: `module.exports = (cl, s, a, c, cb) => cb()`, status: triggers.StatusSuccess, data: ""},
		{desc: "cb(null, null) on credentials-exchange gives null", trigger: triggers.CredentialsExchange,
			script: `module.exports = (cl, s, a, c, cb) => cb(null, null)`, status: triggers.StatusSuccess, data: `null`},
		{desc: "falsy error is success", trigger: triggers.PreUserRegistration,
			script: `module.exports = (u, c, cb) => cb(0, {ok: true})`, status: triggers.StatusSuccess, data: `{"ok":true}`},
		{desc: "toJSON is honoured", trigger: triggers.CredentialsExchange,
			script: `module.exports = (cl, s, a, c, cb) => cb(null, {scope: s, when: new Date(0)})`,
			status: triggers.StatusSuccess, data: `{"scope":["read:users","update:users"],"when":"1970-01-01T00:00:00.000Z"}`},
		{desc: "string error", trigger: triggers.PreUserRegistration, script: script(t, "pre-user-registration/string-error.js"),
			status: triggers.StatusError, data: `{"message":"Access denied."}`, props: []string{"stack", "message"}},
		{desc: "object with message", trigger: triggers.PreUserRegistration, script: script(t, "errors/non-error.js"),
			secrets: map[string]string{"VALUE": `{"message":"from object","other":1}`},
			status:  triggers.StatusError, data: `{"message":"from object"}`, props: []string{"stack", "message"}},
		{desc: "object without message", trigger: triggers.PreUserRegistration, script: script(t, "errors/non-error.js"),
			secrets: map[string]string{"VALUE": `{"reason":"x"}`},
			status:  triggers.StatusError, data: `{"message":"[object Object]"}`, props: []string{"stack", "message"}},
		{desc: "number", trigger: triggers.PreUserRegistration, script: script(t, "errors/non-error.js"),
			secrets: map[string]string{"VALUE": `42`},
			status:  triggers.StatusError, data: `{"message":"42"}`, props: []string{"stack", "message"}},
		{desc: "true", trigger: triggers.PreUserRegistration, script: script(t, "errors/non-error.js"),
			secrets: map[string]string{"VALUE": `true`},
			status:  triggers.StatusError, data: `{"message":"true"}`, props: []string{"stack", "message"}},
		{desc: "empty array is truthy", trigger: triggers.PreUserRegistration, script: script(t, "errors/non-error.js"),
			secrets: map[string]string{"VALUE": `[]`},
			status:  triggers.StatusError, data: `{"message":"Unknown error"}`, props: []string{"stack", "message"}},
		{desc: "error own properties", trigger: triggers.PreUserRegistration, script: script(t, "errors/error-props.js"),
			status: triggers.StatusError, data: `{"message":"quota exceeded","code":"E_QUOTA","retryAfter":30}`,
			props: []string{"stack", "message", "code", "retryAfter"}},
		{desc: "injected class", trigger: triggers.PreUserRegistration,
			script: `module.exports = (u, c, cb) => cb(new PreUserRegistrationError('m', 'f'))`,
			status: triggers.StatusError, data: `{"message":"m","name":"PreUserRegistrationError","friendlyMessage":"f"}`,
			props: []string{"stack", "message", "name", "friendlyMessage"}},
		{desc: "cycle", trigger: triggers.PreUserRegistration, script: script(t, "errors/unserializable.js"),
			status: triggers.StatusError, data: `{"message":"Error when JSON serializing the result of the extension point"}`},
		{desc: "bigint", trigger: triggers.PreUserRegistration, script: script(t, "errors/bigint.js"),
			status: triggers.StatusError, data: `{"message":"Error when JSON serializing the result of the extension point"}`},
		{desc: "throwing toJSON", trigger: triggers.PreUserRegistration,
			script: `module.exports = (u, c, cb) => cb(null, {toJSON() { throw new Error('no') }})`,
			status: triggers.StatusError, data: `{"message":"Error when JSON serializing the result of the extension point"}`},
		{desc: "result taken at callback time", trigger: triggers.PreUserRegistration, script: script(t, "errors/mutate-after-callback.js"),
			status: triggers.StatusSuccess, data: `{"user":{"app_metadata":{"state":"at-callback"}}}`},
	}
	e := enginetest.New(t)
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			in := pre
			if tt.trigger == triggers.CredentialsExchange {
				in = cce
			}
			res, err := e.Run(context.Background(), engine.Hook{Trigger: tt.trigger, Script: tt.script, Secrets: tt.secrets}, in)
			if err != nil {
				t.Fatalf("Run: %v", err)
			}
			if res.Envelope.Status != tt.status {
				t.Errorf("status = %q, want %q (%s)", res.Envelope.Status, tt.status, res.Envelope.Data)
			}
			if tt.props == nil {
				if tt.data == "" {
					if len(res.Envelope.Data) != 0 {
						t.Errorf("data = %s, want none", res.Envelope.Data)
					}
				} else if !jsonEqual(t, res.Envelope.Data, tt.data) {
					t.Errorf("data = %s, want %s", res.Envelope.Data, tt.data)
				}
				return
			}
			d := data(t, res.Envelope.Data)
			var keys []string
			for _, k := range orderedKeys(t, string(res.Envelope.Data)) {
				keys = append(keys, k)
			}
			if strings.Join(keys, ",") != strings.Join(tt.props, ",") {
				t.Errorf("error properties = %v, want %v in that order", keys, tt.props)
			}
			if s, _ := d["stack"].(string); !strings.Contains(s, "hook.js:") {
				t.Errorf("stack %q does not point into the script", s)
			}
			delete(d, "stack")
			if !jsonEqual(t, mustJSON(t, d), tt.data) {
				t.Errorf("data = %s, want %s (plus stack)", res.Envelope.Data, tt.data)
			}
		})
	}
}

func TestCallbackTwice(t *testing.T) {
	e, logs := enginetest.NewObserved(t)
	res, err := e.Run(context.Background(), engine.Hook{Trigger: triggers.PreUserRegistration, Script: script(t, "errors/callback-twice.js")},
		input(t, triggers.PreUserRegistration))
	if err != nil {
		t.Fatal(err)
	}
	if !res.Envelope.Succeeded() || !jsonEqual(t, res.Envelope.Data, `{"user":{"app_metadata":{"first":true}}}`) {
		t.Errorf("envelope = %s %s, want the first call's", res.Envelope.Status, res.Envelope.Data)
	}
	if n := logs.FilterMessage("the hook called its callback again; only the first call counts").Len(); n != 2 {
		t.Errorf("%d warnings about later calls, want 2", n)
	}
	if len(res.Logs) != 2 || res.Logs[0].Level != "warn" {
		t.Errorf("result logs = %v, want the two warnings", res.Logs)
	}
}

func TestThrownBeforeCallback(t *testing.T) {
	tests := []struct {
		desc, script string
		message      string
	}{
		{"synchronous throw", "errors/throw-sync.js", "cannot handle 2 parts"},
		{"async rejection", "errors/async-reject.js", "lookup failed"},
		{"throw in a timer", "errors/throw-in-timer.js", ""},
		{"module-level throw", "errors/require-at-top.js", "Cannot find module 'vm'"},
	}
	e := enginetest.New(t)
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			res, err := e.Run(context.Background(), engine.Hook{Trigger: triggers.PreUserRegistration, Script: script(t, tt.script)},
				input(t, triggers.PreUserRegistration))
			var se *engine.ScriptError
			if !errors.As(err, &se) || !errors.Is(err, engine.ErrThrown) {
				t.Fatalf("err = %v, want a *ScriptError", err)
			}
			d := data(t, res.Envelope.Data)
			if res.Envelope.Succeeded() || d["message"] != se.Message {
				t.Errorf("envelope %s does not carry the thrown error %q", res.Envelope.Data, se.Message)
			}
			if tt.message != "" && se.Message != tt.message {
				t.Errorf("message = %q, want %q", se.Message, tt.message)
			}
			if !strings.Contains(se.Stack, "hook.js:") {
				t.Errorf("stack %q does not point into the script", se.Stack)
			}
			// At once: nowhere near the wall-time limit (20 s) a run that
			// waited for more would end at. Under load even a run of 1 ms
			// of CPU takes hundreds of milliseconds.
			if res.Duration > 100*millisecond+slack*raceScale {
				t.Errorf("took %v: a throw must end the run at once", res.Duration)
			}
		})
	}
}
