package engine_test

import (
	"context"
	"net/http"
	"reflect"
	"testing"

	"github.com/hookengine/hookengine/engine"
	"github.com/hookengine/hookengine/enginetest"
	"github.com/hookengine/hookengine/triggers"
)

func TestCredentialsExchange(t *testing.T) {
	tests := []struct {
		script string
		scope  []string // requested scope
		want   triggers.CredentialsExchangeOutcome
	}{
		{script: "starter.js", want: triggers.CredentialsExchangeOutcome{
			Scope:  []string{"read:users", "update:users"},
			Claims: map[string]any{"https://example.com/client_name": "Reporting service"},
		}},
		{script: "claims.js", want: triggers.CredentialsExchangeOutcome{
			Scope: []string{"read:users", "update:users", "read:reports"},
			Claims: map[string]any{
				"https://api.example.com/claims/tenant": "acme",
				"https://api.example.com/claims/plan":   "pro",
				"http://legacy.example.org/audience":    "https://api.acme.example/",
			},
			Ignored: []string{"aud", "ftp://files.example.com/claim", "https://auth0.com/claims/admin",
				"https://login.auth0.com/x", "https://tenant.webtask.io/y", "https://webtask.run/z", "sub"},
		}},
		{script: "drop-scope.js", want: triggers.CredentialsExchangeOutcome{
			Claims: map[string]any{"https://example.com/only": "claim"},
		}},
		{script: "invalid-scope.js", want: triggers.CredentialsExchangeOutcome{Scope: []string{"read:users", "update:users"}}},
		{script: "invalid-scope.js", scope: []string{"admin"}, want: triggers.CredentialsExchangeOutcome{
			OAuthError: &triggers.OAuthError{StatusCode: http.StatusBadRequest, Code: "invalid_scope", Description: "Scope is not permitted."},
		}},
		{script: "invalid-request.js", want: triggers.CredentialsExchangeOutcome{
			OAuthError: &triggers.OAuthError{StatusCode: http.StatusBadRequest, Code: "invalid_request", Description: "Bad request."},
		}},
		{script: "server-error.js", want: triggers.CredentialsExchangeOutcome{
			OAuthError: &triggers.OAuthError{StatusCode: http.StatusInternalServerError, Code: "server_error", Description: "Upstream policy service is down."},
		}},
		{script: "plain-error.js", want: triggers.CredentialsExchangeOutcome{
			OAuthError: &triggers.OAuthError{StatusCode: http.StatusInternalServerError, Code: "server_error", Description: "Unknown error occurred."},
		}},
	}
	e := enginetest.New(t)
	for _, tt := range tests {
		t.Run(tt.script, func(t *testing.T) {
			in := triggers.CredentialsExchangeInput{
				Client:   triggers.Client{ID: "c1", Name: "Reporting service", Tenant: "acme", Metadata: map[string]string{"plan": "pro"}},
				Scope:    []string{"read:users", "update:users"},
				Audience: "https://api.acme.example/",
			}
			if tt.script == "invalid-request.js" {
				in.Audience = "urn:not-https"
			}
			if tt.scope != nil {
				in.Scope = tt.scope
			}
			res, err := e.Run(context.Background(), engine.Hook{Trigger: triggers.CredentialsExchange, Script: script(t, "credentials-exchange/"+tt.script)}, in)
			if err != nil {
				t.Fatal(err)
			}
			got := res.Outcome().(*triggers.CredentialsExchangeOutcome)
			if !reflect.DeepEqual(got.Scope, tt.want.Scope) || !reflect.DeepEqual(got.Claims, tt.want.Claims) ||
				!reflect.DeepEqual(got.Ignored, tt.want.Ignored) || !reflect.DeepEqual(got.OAuthError, tt.want.OAuthError) {
				t.Errorf("outcome = %+v\nwant      %+v", *got, tt.want)
			}
			if (got.Failure != nil) != (tt.want.OAuthError != nil) {
				t.Errorf("Failure = %v", got.Failure)
			}
		})
	}
}

func TestPreUserRegistration(t *testing.T) {
	tests := []struct {
		script       string
		input        func(*triggers.PreUserRegistrationInput)
		userMetadata map[string]any
		appMetadata  map[string]any
		denial       *triggers.Failure // Data is not compared
	}{
		{script: "starter.js", userMetadata: map[string]any{"newsletter": true}}, // empty app_metadata is omitted from the input
		{script: "metadata.js",
			userMetadata: map[string]any{"newsletter": true, "language": "fr", "signup_ip": "2001:db8::1"},
			appMetadata:  map[string]any{"plan": "enterprise", "connection": "Username-Password-Authentication"}},
		{script: "deny-localized.js", appMetadata: map[string]any{"vetted": true}},
		{script: "deny-localized.js", input: func(in *triggers.PreUserRegistrationInput) { in.User.Email = "x@Mailinator.com" },
			denial: &triggers.Failure{Name: "PreUserRegistrationError", Message: "Signup refused for disposable domain mailinator.com",
				FriendlyMessage: "Veuillez vous inscrire avec une adresse e-mail permanente."}},
		{script: "deny-localized.js", input: func(in *triggers.PreUserRegistrationInput) {
			in.User.Email = "x@example.net"
			in.Context.RenderLanguage = "es-419"
		},
			denial: &triggers.Failure{Name: "PreUserRegistrationError", Message: "Signup refused for disposable domain example.net",
				FriendlyMessage: "Regístrese con una dirección de correo electrónico permanente."}},
		{script: "async-await.js", appMetadata: map[string]any{"risk": float64(30)}},
		{script: "timers.js", userMetadata: map[string]any{"steps": []any{"sync", "microtask", "timeout", "immediate"}}},
		{script: "arrow.js", userMetadata: map[string]any{"greeting": "hello ada"}},
		{script: "exports-alias.js", appMetadata: map[string]any{"plan": "starter"}},
		{script: "string-error.js", denial: &triggers.Failure{Message: "Access denied."}},
		{script: "invalid-metadata.js", denial: &triggers.Failure{Name: "InvalidMetadataError",
			Message: `metadata property "first.name" in user.user_metadata.profile must not start with "$" or contain "."`}},
	}
	e := enginetest.New(t)
	for _, tt := range tests {
		t.Run(tt.script, func(t *testing.T) {
			in := triggers.PreUserRegistrationInput{
				User: triggers.RegistrationUser{Username: "ada", Email: "ada@example.com", Password: "pw",
					UserMetadata: map[string]any{"newsletter": true}, AppMetadata: map[string]any{}},
				Context: triggers.RegistrationContext{RenderLanguage: "fr", Request: &triggers.HTTPRequest{IP: "2001:db8::1"},
					Connection: triggers.Connection{ID: "con_1", Name: "Username-Password-Authentication"}},
			}
			if tt.input != nil {
				tt.input(&in)
			}
			res, err := e.Run(context.Background(), engine.Hook{Trigger: triggers.PreUserRegistration, Script: script(t, "pre-user-registration/"+tt.script)}, in)
			if err != nil {
				t.Fatal(err)
			}
			got := res.Outcome().(*triggers.PreUserRegistrationOutcome)
			if !reflect.DeepEqual(got.UserMetadata, tt.userMetadata) {
				t.Errorf("UserMetadata = %#v, want %#v", got.UserMetadata, tt.userMetadata)
			}
			if !reflect.DeepEqual(got.AppMetadata, tt.appMetadata) {
				t.Errorf("AppMetadata = %#v, want %#v", got.AppMetadata, tt.appMetadata)
			}
			if got.Failure != nil {
				got.Failure.Data = nil
			}
			if !reflect.DeepEqual(got.Failure, tt.denial) {
				t.Errorf("Failure = %+v, want %+v", got.Failure, tt.denial)
			}
		})
	}
}

func TestSendPhoneMessage(t *testing.T) {
	e := enginetest.New(t)
	h := engine.Hook{Trigger: triggers.SendPhoneMessage, Script: script(t, "send-phone-message/provider.js")}
	in := input(t, triggers.SendPhoneMessage)
	for i, want := range []string{"msg-1", "msg-2"} {
		res, err := e.Run(context.Background(), h, in)
		if err != nil {
			t.Fatal(err)
		}
		o := res.Outcome().(*triggers.SendPhoneMessageOutcome)
		if o.Failure != nil || o.Result["MessageID"] != want || o.Result["to"] != "+15555550100" {
			t.Errorf("run %d: outcome = %+v", i, o)
		}
	}
	voice := `{"recipient":"+1","text":"t","context":{"message_type":"voice","action":"enrollment","language":"en","code":"1","ip":"1.1.1.1","user_agent":"u","user":{}}}`
	res, err := e.Run(context.Background(), h, voice)
	if err != nil {
		t.Fatal(err)
	}
	f := res.Outcome().(*triggers.SendPhoneMessageOutcome).Failure
	if f == nil || f.Name != "SendPhoneMessageError" || f.FriendlyMessage != "Choose SMS instead." {
		t.Errorf("failure = %+v", f)
	}
	res, err = e.Run(context.Background(), engine.Hook{Trigger: triggers.SendPhoneMessage, Script: script(t, "send-phone-message/starter.js")}, in)
	if err != nil || !jsonEqual(t, res.Envelope.Data, `{}`) {
		t.Errorf("starter: %v %s", err, res.Envelope.Data)
	}
}

func TestPostPoints(t *testing.T) {
	e, logs := enginetest.NewObserved(t)
	res, err := e.Run(context.Background(), engine.Hook{Trigger: triggers.PostChangePassword, Script: script(t, "post-change-password/audit.js")},
		input(t, triggers.PostChangePassword))
	if err != nil || res.Outcome().Err() != nil {
		t.Fatalf("audit: %v %v", err, res.Outcome().Err())
	}
	if len(res.Logs) != 1 || res.Logs[0].Message != "password changed ada@example.com 2026-11-20T09:30:00.000Z Username-Password-Authentication" {
		t.Errorf("logs = %v", res.Logs)
	}
	res, err = e.Run(context.Background(), engine.Hook{Trigger: triggers.PostUserRegistration, Script: script(t, "post-user-registration/fail.js")},
		input(t, triggers.PostUserRegistration))
	if err != nil {
		t.Fatal(err)
	}
	o := res.Outcome().(*triggers.PostUserRegistrationOutcome)
	if o.Failure == nil || o.Failure.Message != "could not record signup of 5f1c7c1e2a3b4c5d6e7f8a9b" {
		t.Errorf("outcome = %+v", o)
	}
	if logs.FilterMessage("password changed ada@example.com 2026-11-20T09:30:00.000Z Username-Password-Authentication").Len() != 1 {
		t.Errorf("console line not logged through zap: %v", logs.All())
	}
}
