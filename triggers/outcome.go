package triggers

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"
)

// Outcome is what a run means to the caller, typed per extensibility point:
// *CredentialsExchangeOutcome, *PreUserRegistrationOutcome,
// *PostUserRegistrationOutcome, *PostChangePasswordOutcome or
// *SendPhoneMessageOutcome.
type Outcome interface {
	// Trigger names the extensibility point.
	Trigger() ID
	// Err returns the hook's failure as a *Failure, or nil if it succeeded.
	Err() error
}

func failureErr(f *Failure) error {
	if f == nil {
		return nil
	}
	return f
}

// CredentialsExchangeOutcome is the result of a credentials-exchange hook:
// the claims to put in the access token, or the OAuth error to answer with.
type CredentialsExchangeOutcome struct {
	// Scope is the scope claim the hook returned. Auth0 grants exactly
	// these scopes: a hook that drops scope from its result removes every
	// scope. An array of strings is taken as it is; a string is split on
	// spaces. Nil when the result has no scope.
	Scope []string
	// Claims are the custom claims to add: the properties of the result whose
	// names are http or https URLs with a host other than auth0.com,
	// webtask.io, webtask.run and their subdomains. For an Action, the
	// names api.accessToken.setCustomClaim set, except those Auth0
	// restricts (see IsAllowedActionClaim).
	Claims map[string]any
	// Ignored lists, sorted, the properties of the result that are neither
	// scope nor allowed claims. Auth0 ignores them silently.
	Ignored []string
	// OAuthError is the response /oauth/token gives when the hook failed:
	// 400 invalid_scope for InvalidScopeError, 400 invalid_request for
	// InvalidRequestError, 500 server_error for anything else.
	OAuthError *OAuthError
	// Failure is the hook's error; nil on success.
	Failure *Failure
}

// Trigger returns CredentialsExchange.
func (o *CredentialsExchangeOutcome) Trigger() ID { return CredentialsExchange }

// Err returns o.Failure as an error.
func (o *CredentialsExchangeOutcome) Err() error { return failureErr(o.Failure) }

// OAuthError is an OAuth 2.0 error response (RFC 6749, section 5.2).
type OAuthError struct {
	// StatusCode is the HTTP status to answer with.
	StatusCode int `json:"-"`
	// Code is the error code, such as invalid_scope.
	Code string `json:"error"`
	// Description is the human-readable error_description.
	Description string `json:"error_description"`
}

func (e *OAuthError) Error() string {
	return fmt.Sprintf("%s (HTTP %d): %s", e.Code, e.StatusCode, e.Description)
}

// reservedClaimHosts may not name custom claims, nor may their subdomains.
var reservedClaimHosts = []string{"auth0.com", "webtask.io", "webtask.run"}

// IsAllowedClaim reports whether a credentials-exchange result property
// named name becomes a claim: an http or https URL whose host is not
// auth0.com, webtask.io, webtask.run or one of their subdomains.
func IsAllowedClaim(name string) bool {
	u, err := url.Parse(name)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
		return false
	}
	host := strings.ToLower(strings.TrimSuffix(u.Hostname(), "."))
	if host == "" {
		return false
	}
	for _, r := range reservedClaimHosts {
		if host == r || strings.HasSuffix(host, "."+r) {
			return false
		}
	}
	return true
}

func credentialsExchangeOutcome(env Envelope) Outcome {
	return credentialsExchangeOutcomeOf(env, IsAllowedClaim)
}

// credentialsExchangeOutcomeOf reads a credentials-exchange envelope whose
// result properties are claims when allowed says so.
func credentialsExchangeOutcomeOf(env Envelope, allowed func(string) bool) *CredentialsExchangeOutcome {
	o := &CredentialsExchangeOutcome{}
	if f := ParseFailure(env); f != nil {
		o.Failure = f
		o.OAuthError = &OAuthError{StatusCode: http.StatusInternalServerError, Code: "server_error", Description: f.Message}
		switch f.Name {
		case "InvalidScopeError":
			o.OAuthError.StatusCode, o.OAuthError.Code = http.StatusBadRequest, "invalid_scope"
		case "InvalidRequestError":
			o.OAuthError.StatusCode, o.OAuthError.Code = http.StatusBadRequest, "invalid_request"
		}
		return o
	}
	var result map[string]json.RawMessage
	if err := json.Unmarshal(env.Data, &result); err != nil {
		return o // not an object: nothing to add
	}
	for k, raw := range result {
		switch {
		case k == "scope":
			o.Scope = parseScope(raw)
		case allowed(k):
			var v any
			_ = json.Unmarshal(raw, &v)
			if o.Claims == nil {
				o.Claims = make(map[string]any)
			}
			o.Claims[k] = v
		default:
			o.Ignored = append(o.Ignored, k)
		}
	}
	sort.Strings(o.Ignored)
	return o
}

func parseScope(raw json.RawMessage) []string {
	var list []any
	if json.Unmarshal(raw, &list) == nil {
		scope := make([]string, 0, len(list))
		for _, s := range list {
			if s, ok := s.(string); ok {
				scope = append(scope, s)
			}
		}
		return scope
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return strings.Fields(s)
	}
	return nil
}

// PreUserRegistrationOutcome is the result of a pre-user-registration hook:
// the metadata to store on the new user, or the denial of the signup.
type PreUserRegistrationOutcome struct {
	// UserMetadata is user.user_metadata from the result; nil when the
	// result has none (the user keeps what the signup supplied).
	UserMetadata map[string]any
	// AppMetadata is user.app_metadata from the result; nil when absent.
	AppMetadata map[string]any
	// Failure denies the signup: the hook's error, or an
	// InvalidMetadataError when the metadata it returned cannot be stored.
	// Message is for the tenant logs, FriendlyMessage for the user.
	Failure *Failure
}

// Trigger returns PreUserRegistration.
func (o *PreUserRegistrationOutcome) Trigger() ID { return PreUserRegistration }

// Err returns o.Failure as an error.
func (o *PreUserRegistrationOutcome) Err() error { return failureErr(o.Failure) }

// Denied reports whether the signup must be refused.
func (o *PreUserRegistrationOutcome) Denied() bool { return o.Failure != nil }

func preUserRegistrationOutcome(env Envelope) Outcome {
	o := &PreUserRegistrationOutcome{}
	if f := ParseFailure(env); f != nil {
		o.Failure = f
		return o
	}
	var result struct {
		User *struct {
			UserMetadata json.RawMessage `json:"user_metadata"`
			AppMetadata  json.RawMessage `json:"app_metadata"`
		} `json:"user"`
	}
	if err := json.Unmarshal(env.Data, &result); err != nil || result.User == nil {
		return o
	}
	var err error
	if o.UserMetadata, err = parseMetadata("user_metadata", result.User.UserMetadata); err == nil {
		o.AppMetadata, err = parseMetadata("app_metadata", result.User.AppMetadata)
	}
	if err != nil {
		o.UserMetadata, o.AppMetadata = nil, nil
		data, _ := json.Marshal(map[string]string{"name": "InvalidMetadataError", "message": err.Error()})
		o.Failure = &Failure{Name: "InvalidMetadataError", Message: err.Error(), Data: data}
	}
	return o
}

// parseMetadata decodes a metadata object and checks its property names, at
// every depth: none may start with "$" or contain ".".
func parseMetadata(field string, raw json.RawMessage) (map[string]any, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, fmt.Errorf("user.%s returned by the hook is not an object", field)
	}
	if err := checkMetadataKeys(field, m); err != nil {
		return nil, err
	}
	if field == "app_metadata" {
		for k := range m {
			if reservedAppMetadata[k] {
				return nil, fmt.Errorf("metadata property %q in user.app_metadata is reserved by Auth0", k)
			}
		}
	}
	return m, nil
}

func checkMetadataKeys(path string, v any) error {
	switch v := v.(type) {
	case map[string]any:
		for k, child := range v {
			if strings.HasPrefix(k, "$") || strings.Contains(k, ".") {
				return fmt.Errorf("metadata property %q in user.%s must not start with \"$\" or contain \".\"", k, path)
			}
			if err := checkMetadataKeys(path+"."+k, child); err != nil {
				return err
			}
		}
	case []any:
		for _, child := range v {
			if err := checkMetadataKeys(path, child); err != nil {
				return err
			}
		}
	}
	return nil
}

// PostUserRegistrationOutcome is the result of a post-user-registration
// hook. Auth0 ignores it except for logging a failure.
type PostUserRegistrationOutcome struct {
	// Failure is the hook's error; nil on success.
	Failure *Failure
}

// Trigger returns PostUserRegistration.
func (o *PostUserRegistrationOutcome) Trigger() ID { return PostUserRegistration }

// Err returns o.Failure as an error.
func (o *PostUserRegistrationOutcome) Err() error { return failureErr(o.Failure) }

// PostChangePasswordOutcome is the result of a post-change-password hook.
// Auth0 ignores it except for logging a failure.
type PostChangePasswordOutcome struct {
	// Failure is the hook's error; nil on success.
	Failure *Failure
}

// Trigger returns PostChangePassword.
func (o *PostChangePasswordOutcome) Trigger() ID { return PostChangePassword }

// Err returns o.Failure as an error.
func (o *PostChangePasswordOutcome) Err() error { return failureErr(o.Failure) }

// SendPhoneMessageOutcome is the result of a send-phone-message hook.
type SendPhoneMessageOutcome struct {
	// Result is the value the hook called back with, such as the provider's
	// message id; nil when it passed none or a value that is not an object.
	Result map[string]any
	// Failure means the message was not sent; nil on success.
	Failure *Failure
}

// Trigger returns SendPhoneMessage.
func (o *SendPhoneMessageOutcome) Trigger() ID { return SendPhoneMessage }

// Err returns o.Failure as an error.
func (o *SendPhoneMessageOutcome) Err() error { return failureErr(o.Failure) }

func sendPhoneMessageOutcome(env Envelope) Outcome {
	o := &SendPhoneMessageOutcome{Failure: ParseFailure(env)}
	if o.Failure == nil {
		_ = json.Unmarshal(env.Data, &o.Result)
	}
	return o
}
