package triggers

import (
	"encoding/json"
	"net/http"
	"reflect"
	"testing"

	"github.com/dop251/goja"
)

func TestIsAllowedClaim(t *testing.T) {
	tests := []struct {
		name string
		want bool
	}{
		{"https://example.com/claims/plan", true},
		{"http://example.com/x", true},
		{"https://example.com", true},
		{"https://EXAMPLE.com:8443/x", true},
		{"https://notauth0.com/x", true},
		{"https://auth0.com.example.org/x", true},
		{"https://auth0.com/x", false},
		{"https://AUTH0.COM/x", false},
		{"https://tenant.auth0.com/x", false},
		{"https://a.b.auth0.com/x", false},
		{"https://auth0.com./x", false},
		{"https://webtask.io/x", false},
		{"https://x.webtask.io/x", false},
		{"https://webtask.run/x", false},
		{"https://x.webtask.run/x", false},
		{"ftp://example.com/x", false},
		{"example.com/x", false},
		{"sub", false},
		{"scope", false},
		{"https://", false},
		{"https:///path", false},
		{"", false},
	}
	for _, tt := range tests {
		if got := IsAllowedClaim(tt.name); got != tt.want {
			t.Errorf("IsAllowedClaim(%q) = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestCredentialsExchangeOutcome(t *testing.T) {
	tests := []struct {
		desc    string
		env     Envelope
		scope   []string
		claims  map[string]any
		ignored []string
		oauth   *OAuthError
	}{
		{
			desc:    "scope and claims",
			env:     Envelope{Status: StatusSuccess, Data: json.RawMessage(`{"scope":["a","b"],"https://example.com/c":{"n":1},"https://auth0.com/d":1,"sub":"x"}`)},
			scope:   []string{"a", "b"},
			claims:  map[string]any{"https://example.com/c": map[string]any{"n": float64(1)}},
			ignored: []string{"https://auth0.com/d", "sub"},
		},
		{
			desc:   "scope as a string",
			env:    Envelope{Status: StatusSuccess, Data: json.RawMessage(`{"scope":"read:a  write:b"}`)},
			scope:  []string{"read:a", "write:b"},
			claims: nil,
		},
		{
			desc:  "no scope removes every scope",
			env:   Envelope{Status: StatusSuccess, Data: json.RawMessage(`{"https://example.com/c":true}`)},
			scope: nil, claims: map[string]any{"https://example.com/c": true},
		},
		{
			desc: "empty data",
			env:  Envelope{Status: StatusSuccess},
		},
		{
			desc:  "InvalidScopeError",
			env:   ErrorEnvelope("message", "Scope is not permitted.", "name", "InvalidScopeError"),
			oauth: &OAuthError{StatusCode: http.StatusBadRequest, Code: "invalid_scope", Description: "Scope is not permitted."},
		},
		{
			desc:  "InvalidRequestError",
			env:   ErrorEnvelope("message", "Bad request.", "name", "InvalidRequestError"),
			oauth: &OAuthError{StatusCode: http.StatusBadRequest, Code: "invalid_request", Description: "Bad request."},
		},
		{
			desc:  "ServerError",
			env:   ErrorEnvelope("message", "down", "name", "ServerError"),
			oauth: &OAuthError{StatusCode: http.StatusInternalServerError, Code: "server_error", Description: "down"},
		},
		{
			desc:  "plain Error",
			env:   ErrorEnvelope("message", "Unknown error occurred."),
			oauth: &OAuthError{StatusCode: http.StatusInternalServerError, Code: "server_error", Description: "Unknown error occurred."},
		},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			o := credentialsExchangeOutcome(tt.env).(*CredentialsExchangeOutcome)
			if !reflect.DeepEqual(o.Scope, tt.scope) {
				t.Errorf("Scope = %#v, want %#v", o.Scope, tt.scope)
			}
			if !reflect.DeepEqual(o.Claims, tt.claims) {
				t.Errorf("Claims = %#v, want %#v", o.Claims, tt.claims)
			}
			if !reflect.DeepEqual(o.Ignored, tt.ignored) {
				t.Errorf("Ignored = %#v, want %#v", o.Ignored, tt.ignored)
			}
			if !reflect.DeepEqual(o.OAuthError, tt.oauth) {
				t.Errorf("OAuthError = %#v, want %#v", o.OAuthError, tt.oauth)
			}
			if (o.Err() != nil) != (tt.oauth != nil) {
				t.Errorf("Err() = %v, want an error: %v", o.Err(), tt.oauth != nil)
			}
		})
	}
}

func TestPreUserRegistrationOutcome(t *testing.T) {
	tests := []struct {
		desc         string
		data         string
		userMetadata map[string]any
		appMetadata  map[string]any
		failure      string
	}{
		{desc: "both", data: `{"user":{"user_metadata":{"a":1},"app_metadata":{"b":"x"},"email":"ignored"}}`,
			userMetadata: map[string]any{"a": float64(1)}, appMetadata: map[string]any{"b": "x"}},
		{desc: "empty object from cb()", data: `{}`},
		{desc: "other properties ignored", data: `{"user":{"email":"x","password":"y"},"extra":1}`},
		{desc: "null metadata", data: `{"user":{"user_metadata":null}}`},
		{desc: "dollar key", data: `{"user":{"user_metadata":{"$set":1}}}`,
			failure: `InvalidMetadataError: metadata property "$set" in user.user_metadata must not start with "$" or contain "."`},
		{desc: "dotted key deep in app_metadata", data: `{"user":{"app_metadata":{"a":{"b":[{"c.d":1}]}}}}`,
			failure: `InvalidMetadataError: metadata property "c.d" in user.app_metadata.a.b must not start with "$" or contain "."`},
		{desc: "dollar inside a value is fine", data: `{"user":{"user_metadata":{"price":"$5.00"}}}`,
			userMetadata: map[string]any{"price": "$5.00"}},
		{desc: "metadata not an object", data: `{"user":{"app_metadata":[1,2]}}`,
			failure: "InvalidMetadataError: user.app_metadata returned by the hook is not an object"},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			o := preUserRegistrationOutcome(Envelope{Status: StatusSuccess, Data: json.RawMessage(tt.data)}).(*PreUserRegistrationOutcome)
			if !reflect.DeepEqual(o.UserMetadata, tt.userMetadata) {
				t.Errorf("UserMetadata = %#v, want %#v", o.UserMetadata, tt.userMetadata)
			}
			if !reflect.DeepEqual(o.AppMetadata, tt.appMetadata) {
				t.Errorf("AppMetadata = %#v, want %#v", o.AppMetadata, tt.appMetadata)
			}
			got := ""
			if o.Failure != nil {
				got = o.Failure.Error()
			}
			if got != tt.failure {
				t.Errorf("Failure = %q, want %q", got, tt.failure)
			}
			if o.Denied() != (tt.failure != "") {
				t.Errorf("Denied() = %v", o.Denied())
			}
		})
	}
}

func TestParseFailure(t *testing.T) {
	env := Envelope{Status: StatusError, Data: json.RawMessage(`{"stack":"PreUserRegistrationError: m\n at x","message":"m","name":"PreUserRegistrationError","friendlyMessage":"f","code":"E1"}`)}
	f := ParseFailure(env)
	want := &Failure{Name: "PreUserRegistrationError", Message: "m", FriendlyMessage: "f", Code: "E1", Data: env.Data}
	if !reflect.DeepEqual(f, want) {
		t.Errorf("ParseFailure = %#v, want %#v", f, want)
	}
	if f := ParseFailure(Envelope{Status: StatusSuccess, Data: json.RawMessage(`{}`)}); f != nil {
		t.Errorf("ParseFailure(success) = %#v, want nil", f)
	}
	if got := ParseFailure(ErrorEnvelope("message", "plain")).Error(); got != "plain" {
		t.Errorf("Error() of a nameless failure = %q, want %q", got, "plain")
	}
}

func TestErrorEnvelopeKeepsOrder(t *testing.T) {
	env := ErrorEnvelope("message", "a \"quoted\" text", "code", "x")
	if got, want := string(env.Data), `{"message":"a \"quoted\" text","code":"x"}`; got != want {
		t.Errorf("Data = %s, want %s", got, want)
	}
	if env.Status != StatusError {
		t.Errorf("Status = %q", env.Status)
	}
}

func TestOutcomeTypes(t *testing.T) {
	fail := ErrorEnvelope("message", "m", "name", "SendPhoneMessageError", "friendlyMessage", "f")
	for _, tr := range All() {
		o := tr.Outcome(fail)
		if o.Trigger() != tr.ID {
			t.Errorf("%s: Outcome().Trigger() = %s", tr.ID, o.Trigger())
		}
		if o.Err() == nil {
			t.Errorf("%s: error envelope gave no Err()", tr.ID)
		}
		ok := tr.Outcome(Envelope{Status: StatusSuccess, Data: json.RawMessage(`{"MessageID":"1"}`)})
		if err := ok.Err(); err != nil {
			t.Errorf("%s: success envelope gave Err() = %v", tr.ID, err)
		}
	}
	o := sendPhoneMessageOutcome(Envelope{Status: StatusSuccess, Data: json.RawMessage(`{"MessageID":"1"}`)}).(*SendPhoneMessageOutcome)
	if o.Result["MessageID"] != "1" {
		t.Errorf("SendPhoneMessage Result = %#v", o.Result)
	}
}

func TestSuccessValue(t *testing.T) {
	vm := goja.New()
	for _, tr := range All() {
		v := tr.SuccessValue(vm, goja.Undefined())
		_, isObj := v.(*goja.Object)
		want := tr.ID == PreUserRegistration || tr.ID == PostUserRegistration || tr.ID == PostChangePassword
		if isObj != want {
			t.Errorf("%s: SuccessValue(undefined) is an object: %v, want %v", tr.ID, isObj, want)
		}
	}
}

func TestLookup(t *testing.T) {
	for _, id := range IDs() {
		tr, ok := Lookup(id)
		if !ok || tr.ID != id {
			t.Errorf("Lookup(%q) = %v, %v", id, tr, ok)
		}
		if tr.Params[len(tr.Params)-1] != "cb" {
			t.Errorf("%s: last parameter is %q, want cb", id, tr.Params[len(tr.Params)-1])
		}
	}
	if _, ok := Lookup("password-exchange"); ok {
		t.Error("Lookup found password-exchange, which Auth0 no longer supports")
	}
	if len(IDs()) != 5 {
		t.Errorf("IDs() = %v, want five", IDs())
	}
}
