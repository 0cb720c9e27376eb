package engine_test

import (
	"context"
	"errors"
	"testing"

	"github.com/hookengine/hookengine/engine"
	"github.com/hookengine/hookengine/enginetest"
	"github.com/hookengine/hookengine/triggers"
)

// ran is a hook, valid for every point, that logs when it runs.
const ran = `module.exports = function () { console.log('ran'); arguments[arguments.length - 1](null, {}); };`

func TestInputChecks(t *testing.T) {
	const (
		cce  = triggers.CredentialsExchange
		pre  = triggers.PreUserRegistration
		post = triggers.PostUserRegistration
		pcp  = triggers.PostChangePassword
		spm  = triggers.SendPhoneMessage
	)
	// A valid send-phone-message context, with one field replaced per case.
	phone := func(field string) string {
		ctx := map[string]string{
			"message_type": `"sms"`, "action": `"enrollment"`, "language": `"en"`, "code": `"123"`,
			"ip": `"1.2.3.4"`, "user_agent": `"ua"`, "user": `{}`,
		}
		if field != "" {
			k, v, _ := cut(field)
			if v == "" {
				delete(ctx, k)
			} else {
				ctx[k] = v
			}
		}
		s := `{"recipient":"+1","text":"t","context":{`
		first := true
		for _, k := range []string{"message_type", "action", "language", "code", "ip", "user_agent", "client", "user"} {
			if v, ok := ctx[k]; ok {
				if !first {
					s += ","
				}
				first = false
				s += `"` + k + `":` + v
			}
		}
		return s + `}}`
	}
	tests := []struct {
		desc    string
		trigger triggers.ID
		input   string
		want    string // "" when the input is valid
	}{
		{"cce valid", cce, `{"client":{},"scope":["a"],"audience":"x"}`, ""},
		{"cce body null", cce, `null`, "Body received by extensibility point is not an object"},
		{"cce body string", cce, `"x"`, "Body received by extensibility point is not an object"},
		{"cce client missing", cce, `{"audience":"x"}`, "Body .client received by extensibility point is not an object"},
		{"cce client string", cce, `{"client":"c","audience":"x"}`, "Body .client received by extensibility point is not an object"},
		{"cce scope string", cce, `{"client":{},"scope":"a b","audience":"x"}`, "Body .scope received by extensibility point is neither empty nor an array"},
		{"cce scope object", cce, `{"client":{},"scope":{},"audience":"x"}`, "Body .scope received by extensibility point is neither empty nor an array"},
		{"cce scope null", cce, `{"client":{},"scope":null,"audience":"x"}`, ""},
		{"cce scope empty string", cce, `{"client":{},"scope":"","audience":"x"}`, ""},
		{"cce audience missing", cce, `{"client":{}}`, "Body .audience received by extensibility point is not a string"},
		{"cce audience number", cce, `{"client":{},"audience":1}`, "Body .audience received by extensibility point is not a string"},
		{"pre body array of nothing", pre, `7`, "Body received by extensibility point is not an object"},
		{"pre user missing", pre, `{"context":{"connection":{}}}`, "Body.user received by extensibility point is not an object"},
		{"pre context missing", pre, `{"user":{}}`, "Body.context received by extensibility point is not an object"},
		{"pre connection missing", pre, `{"user":{},"context":{}}`, "Body.context.connection received by extensibility point is not an object"},
		{"pre connection string", pre, `{"user":{},"context":{"connection":"db"}}`, "Body.context.connection received by extensibility point is not an object"},
		{"post connection missing", post, `{"user":{},"context":{}}`, "Body.context.connection received by extensibility point is not an object"},
		{"pcp user missing", pcp, `{"context":{"connection":{}}}`, "Body.user received by extensibility point is not an object"},
		{"pcp valid", pcp, `{"user":{},"context":{"connection":{}}}`, ""},
		{"spm valid", spm, phone(""), ""},
		{"spm body", spm, `[]`, "Body.recipient received by extensibility point is not a string"},
		{"spm recipient", spm, `{"recipient":1,"text":"t","context":{}}`, "Body.recipient received by extensibility point is not a string"},
		{"spm text", spm, `{"recipient":"+1","context":{}}`, "Body.text received by extensibility point is not a string"},
		{"spm context", spm, `{"recipient":"+1","text":"t","context":"c"}`, "Body.context received by extensibility point is not an object"},
		{"spm message_type", spm, phone(`message_type="email"`), "Body.context.message_type received by extensibility point is not `sms` or `voice`"},
		{"spm voice ok", spm, phone(`message_type="voice"`), ""},
		{"spm action", spm, phone(`action="authentication"`), "Body.context.action received by extensibility point is not `enrollment` or `second-factor-authentication`"},
		{"spm action 2fa ok", spm, phone(`action="second-factor-authentication"`), ""},
		{"spm language", spm, phone(`language=`), "Body.context.language received by extensibility point is not a string"},
		{"spm code", spm, phone(`code=123`), "Body.context.code received by extensibility point is not a string"},
		{"spm ip", spm, phone(`ip=null`), "Body.context.ip received by extensibility point is not a string"},
		{"spm user_agent", spm, phone(`user_agent=`), "Body.context.user_agent received by extensibility point is not a string"},
		{"spm client not object", spm, phone(`client="c"`), "Body.context.client received by extensibility point is not an object"},
		{"spm client_id", spm, phone(`client={"name":"n"}`), "Body.context.client.client_id received by extensibility point is not a string"},
		{"spm client name", spm, phone(`client={"client_id":"i"}`), "Body.context.client.name received by extensibility point is not a string"},
		{"spm client_metadata", spm, phone(`client={"client_id":"i","name":"n","client_metadata":"m"}`), "Body.context.client.client_metadata received by extensibility point is not an object"},
		{"spm client ok", spm, phone(`client={"client_id":"i","name":"n"}`), ""},
		{"spm user", spm, phone(`user=`), "Body.context.user received by extensibility point is not an object"},
		{"not JSON", pre, `{"user":`, "Body received by extensibility point is not valid JSON: SyntaxError: Unexpected end of JSON input (EOF)"},
	}
	e := enginetest.New(t)
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			res, err := e.Run(context.Background(), engine.Hook{Trigger: tt.trigger, Script: ran}, tt.input)
			if tt.want == "" {
				if err != nil || !res.Envelope.Succeeded() {
					t.Fatalf("valid input rejected: %v %s", err, res.Envelope.Data)
				}
				return
			}
			var ie *engine.InputError
			if !errors.As(err, &ie) || !errors.Is(err, engine.ErrInvalidInput) {
				t.Fatalf("err = %v, want an *InputError", err)
			}
			if ie.Message != tt.want {
				t.Errorf("message = %q\nwant      %q", ie.Message, tt.want)
			}
			d := data(t, res.Envelope.Data)
			if d["message"] != tt.want || d["code"] != "invalid_input" {
				t.Errorf("envelope data = %v", d)
			}
			if len(res.Logs) != 0 {
				t.Errorf("the script ran despite invalid input: %v", res.Logs)
			}
		})
	}
}

func cut(s string) (string, string, bool) {
	for i := range s {
		if s[i] == '=' {
			return s[:i], s[i+1:], true
		}
	}
	return s, "", false
}

// The shape of context differs per point, as Auth0's compilers built it.
func TestContextShape(t *testing.T) {
	const report = `module.exports = function () {
  const args = Array.prototype.slice.call(arguments);
  const cb = args.pop();
  const context = args[args.length - 1];
  cb(null, {
    keys: Object.keys(context),
    secret: context.webtask.secrets.S,
    data: context.webtask.data.S,
    point: context.webtask.meta['auth0-extension-name'],
    argc: args.length,
  });
};`
	tests := []struct {
		trigger triggers.ID
		input   string
		want    string
	}{
		{triggers.CredentialsExchange, `{"client":{},"audience":"a"}`,
			`{"keys":["webtask"],"secret":"v","data":"v","point":"credentials-exchange","argc":4}`},
		{triggers.CredentialsExchange, `{"client":{},"audience":"a","context":{"x":1}}`,
			`{"keys":["x","webtask"],"secret":"v","data":"v","point":"credentials-exchange","argc":4}`},
		{triggers.PreUserRegistration, `{"user":{},"context":{"connection":{},"renderLanguage":"fr"}}`,
			`{"keys":["connection","renderLanguage","webtask"],"secret":"v","data":"v","point":"pre-user-registration","argc":2}`},
		{triggers.PostChangePassword, `{"user":{},"context":{"connection":{}}}`,
			`{"keys":["connection","webtask"],"secret":"v","data":"v","point":"post-change-password","argc":2}`},
		{triggers.SendPhoneMessage, input(t, triggers.SendPhoneMessage),
			`{"keys":["message_type","action","language","code","ip","user_agent","client","user","webtask"],"secret":"v","data":"v","point":"send-phone-message","argc":3}`},
	}
	e := enginetest.New(t)
	for _, tt := range tests {
		t.Run(string(tt.trigger), func(t *testing.T) {
			res, err := e.Run(context.Background(), engine.Hook{Trigger: tt.trigger, Script: report, Secrets: map[string]string{"S": "v"}}, tt.input)
			if err != nil {
				t.Fatal(err)
			}
			if !jsonEqual(t, res.Envelope.Data, tt.want) {
				t.Errorf("got %s\nwant %s", res.Envelope.Data, tt.want)
			}
		})
	}
}

func TestErrorClasses(t *testing.T) {
	tests := []struct {
		trigger triggers.ID
		class   string
		want    string // "" when the class must not exist for the point
	}{
		{triggers.CredentialsExchange, "InvalidScopeError", `{"isError":true,"isBase":true,"name":"InvalidScopeError","ownName":true,"message":"the message","toString":"InvalidScopeError: the message","ownProps":["stack","message","name"]}`},
		{triggers.CredentialsExchange, "InvalidRequestError", `{"isError":true,"isBase":true,"name":"InvalidRequestError","ownName":true,"message":"the message","toString":"InvalidRequestError: the message","ownProps":["stack","message","name"]}`},
		{triggers.CredentialsExchange, "ServerError", `{"isError":true,"isBase":true,"name":"ServerError","ownName":true,"message":"the message","toString":"ServerError: the message","ownProps":["stack","message","name"]}`},
		{triggers.CredentialsExchange, "PreUserRegistrationError", ""},
		{triggers.PreUserRegistration, "PreUserRegistrationError", `{"isError":true,"isBase":true,"name":"PreUserRegistrationError","ownName":true,"message":"the message","friendlyMessage":"the friendly message","toString":"PreUserRegistrationError: the message","ownProps":["stack","message","name","friendlyMessage"]}`},
		{triggers.PostUserRegistration, "PreUserRegistrationError", `{"isError":true,"isBase":true,"name":"PreUserRegistrationError","ownName":true,"message":"the message","friendlyMessage":"the friendly message","toString":"PreUserRegistrationError: the message","ownProps":["stack","message","name","friendlyMessage"]}`},
		{triggers.PostChangePassword, "PreUserRegistrationError", `{"isError":true,"isBase":true,"name":"PreUserRegistrationError","ownName":true,"message":"the message","friendlyMessage":"the friendly message","toString":"PreUserRegistrationError: the message","ownProps":["stack","message","name","friendlyMessage"]}`},
		{triggers.PreUserRegistration, "InvalidScopeError", ""},
		{triggers.SendPhoneMessage, "SendPhoneMessageError", `{"isError":true,"isBase":true,"name":"SendPhoneMessageError","ownName":true,"message":"the message","friendlyMessage":"the friendly message","toString":"SendPhoneMessageError: the message","ownProps":["stack","message","name","friendlyMessage"]}`},
		{triggers.SendPhoneMessage, "PreUserRegistrationError", ""},
	}
	inputs := map[triggers.ID]string{}
	for _, id := range triggers.IDs() {
		inputs[id] = input(t, id)
	}
	e := enginetest.New(t)
	for _, tt := range tests {
		t.Run(string(tt.trigger)+"/"+tt.class, func(t *testing.T) {
			h := engine.Hook{Trigger: tt.trigger, Script: script(t, "errors/classes.js"), Secrets: map[string]string{"CLASS": tt.class}}
			res, err := e.Run(context.Background(), h, inputs[tt.trigger])
			if tt.want == "" {
				if !errors.Is(err, engine.ErrThrown) || data(t, res.Envelope.Data)["message"] != tt.class+" is not defined" {
					t.Fatalf("class should not exist: err=%v data=%s", err, res.Envelope.Data)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !jsonEqual(t, res.Envelope.Data, tt.want) {
				t.Errorf("got  %s\nwant %s", res.Envelope.Data, tt.want)
			}
		})
	}
}

func TestFriendlyMessageDefaultsToMessage(t *testing.T) {
	res, err := enginetest.Run(t, triggers.PreUserRegistration,
		`module.exports = (u, c, cb) => cb(new PreUserRegistrationError('only one'))`, input(t, triggers.PreUserRegistration))
	if err != nil {
		t.Fatal(err)
	}
	f := res.Outcome().(*triggers.PreUserRegistrationOutcome).Failure
	if f == nil || f.Message != "only one" || f.FriendlyMessage != "only one" || f.Name != "PreUserRegistrationError" {
		t.Errorf("failure = %+v", f)
	}
}
