package triggers

import (
	"fmt"
	"reflect"
	"strings"

	"github.com/dop251/goja"
)

// ID names an extensibility point, as the triggerId of Auth0's Management
// API does.
type ID string

// The five extensibility points.
const (
	CredentialsExchange  ID = "credentials-exchange"
	PreUserRegistration  ID = "pre-user-registration"
	PostUserRegistration ID = "post-user-registration"
	PostChangePassword   ID = "post-change-password"
	SendPhoneMessage     ID = "send-phone-message"
)

// Trigger describes one extensibility point: how its script is called, which
// error classes it sees, which input it accepts and what its result means.
// A Trigger is immutable and safe for concurrent use.
type Trigger struct {
	// ID names the point.
	ID ID
	// Params are the script's parameters in order, the callback last.
	Params []string
	// Blocking reports whether Auth0 waited for the hook before going on
	// (credentials-exchange, pre-user-registration, send-phone-message).
	// Non-blocking hooks run fire-and-forget.
	Blocking bool
	// Summary says in one sentence when the hook runs.
	Summary string
	// ErrorClasses are the error classes defined in the script's scope, the
	// common base class ExtensibilityUserError first.
	ErrorClasses []string

	classes  *goja.Program
	args     func(vm *goja.Runtime, body goja.Value, webtask *goja.Object) ([]goja.Value, error)
	outcome  func(Envelope) Outcome
	emptyObj bool // the callback's missing success value becomes {}
}

// InputError is a request body that fails an extensibility point's checks.
// Message is the exact text Auth0's compiler used.
type InputError struct {
	Message string
}

func (e *InputError) Error() string { return e.Message }

var all = []*Trigger{
	{
		ID:           CredentialsExchange,
		Params:       []string{"client", "scope", "audience", "context", "cb"},
		Blocking:     true,
		Summary:      "Runs when /oauth/token issues an access token for the client credentials grant; adds claims, changes scopes or denies the token.",
		ErrorClasses: []string{"ExtensibilityUserError", "InvalidScopeError", "InvalidRequestError", "ServerError"},
		args:         credentialsExchangeArgs,
		outcome:      credentialsExchangeOutcome,
	},
	{
		ID:           PreUserRegistration,
		Params:       []string{"user", "context", "cb"},
		Blocking:     true,
		Summary:      "Runs before a database user is created; adds user_metadata and app_metadata or denies the signup.",
		ErrorClasses: userRegistrationClasses,
		args:         userRegistrationArgs,
		outcome:      preUserRegistrationOutcome,
		emptyObj:     true,
	},
	{
		ID:           PostUserRegistration,
		Params:       []string{"user", "context", "cb"},
		Summary:      "Runs after a database user was created, without holding up the signup; its result is only logged.",
		ErrorClasses: userRegistrationClasses,
		args:         userRegistrationArgs,
		outcome: func(env Envelope) Outcome {
			return &PostUserRegistrationOutcome{Failure: ParseFailure(env)}
		},
		emptyObj: true,
	},
	{
		ID:           PostChangePassword,
		Params:       []string{"user", "context", "cb"},
		Summary:      "Runs after a database user's password changed, without holding up the change; a failure is only logged.",
		ErrorClasses: userRegistrationClasses,
		args:         userRegistrationArgs,
		outcome: func(env Envelope) Outcome {
			return &PostChangePasswordOutcome{Failure: ParseFailure(env)}
		},
		emptyObj: true,
	},
	{
		ID:           SendPhoneMessage,
		Params:       []string{"recipient", "text", "context", "cb"},
		Blocking:     true,
		Summary:      "Runs to deliver an MFA code by SMS or voice through a custom provider.",
		ErrorClasses: []string{"ExtensibilityUserError", "SendPhoneMessageError"},
		args:         sendPhoneMessageArgs,
		outcome:      sendPhoneMessageOutcome,
	},
}

var userRegistrationClasses = []string{"ExtensibilityUserError", "PreUserRegistrationError"}

// errorClassSource defines the injected error classes. The base class names
// each instance after its class, so new InvalidScopeError('x').name is
// 'InvalidScopeError' as an own property, as on Auth0.
var errorClassSource = map[string]string{
	"ExtensibilityUserError": `class ExtensibilityUserError extends Error {
    constructor(message) { super(message); this.name = this.constructor.name; }
  }`,
	"InvalidScopeError":   `class InvalidScopeError extends ExtensibilityUserError {}`,
	"InvalidRequestError": `class InvalidRequestError extends ExtensibilityUserError {}`,
	"ServerError":         `class ServerError extends ExtensibilityUserError {}`,
	"PreUserRegistrationError": `class PreUserRegistrationError extends ExtensibilityUserError {
    constructor(message, friendlyMessage) { super(message); this.friendlyMessage = friendlyMessage || message; }
  }`,
	"SendPhoneMessageError": `class SendPhoneMessageError extends ExtensibilityUserError {
    constructor(message, friendlyMessage) { super(message); this.friendlyMessage = friendlyMessage || message; }
  }`,
}

var byID = map[ID]*Trigger{}

func init() {
	for _, t := range all {
		var src strings.Builder
		src.WriteString("(function () {\n  'use strict';\n")
		for _, c := range t.ErrorClasses {
			src.WriteString("  " + errorClassSource[c] + "\n")
		}
		src.WriteString("  return [" + strings.Join(t.ErrorClasses, ", ") + "];\n})")
		t.classes = goja.MustCompile("hookengine:"+string(t.ID)+"-errors", src.String(), true)
		byID[t.ID] = t
	}
}

// Lookup returns the extensibility point named id.
func Lookup(id ID) (*Trigger, bool) {
	t, ok := byID[id]
	return t, ok
}

// All returns the five extensibility points in the order of Auth0's
// documentation.
func All() []*Trigger { return append([]*Trigger(nil), all...) }

// IDs returns the names of the five extensibility points.
func IDs() []ID {
	ids := make([]ID, len(all))
	for i, t := range all {
		ids[i] = t.ID
	}
	return ids
}

// DefineErrorClasses creates the point's error classes in vm and returns
// them in the order of ErrorClasses.
func (t *Trigger) DefineErrorClasses(vm *goja.Runtime) ([]goja.Value, error) {
	f, err := vm.RunProgram(t.classes)
	if err != nil {
		return nil, err
	}
	call, _ := goja.AssertFunction(f)
	list, err := call(goja.Undefined())
	if err != nil {
		return nil, err
	}
	obj := list.(*goja.Object)
	classes := make([]goja.Value, len(t.ErrorClasses))
	for i := range classes {
		classes[i] = obj.Get(fmt.Sprint(i))
	}
	return classes, nil
}

// Args checks the request body as Auth0's compiler for the point did, in the
// same order and with the same messages, and builds the script's arguments
// (the callback excluded). webtask becomes context.webtask. A body that fails
// a check gives an *InputError.
func (t *Trigger) Args(vm *goja.Runtime, body goja.Value, webtask *goja.Object) ([]goja.Value, error) {
	return t.args(vm, body, webtask)
}

// withRoom returns args in a slice with room for one more: the engine
// appends the callback.
func withRoom(args ...goja.Value) []goja.Value {
	return append(make([]goja.Value, 0, len(args)+1), args...)
}

// SuccessValue adjusts the value a script passed to its callback on success:
// the user-registration points turn a missing value into an empty object.
func (t *Trigger) SuccessValue(vm *goja.Runtime, v goja.Value) goja.Value {
	if t.emptyObj && (v == nil || goja.IsUndefined(v) || goja.IsNull(v)) {
		return vm.NewObject()
	}
	return v
}

// Outcome interprets an envelope of this point.
func (t *Trigger) Outcome(env Envelope) Outcome { return t.outcome(env) }

// OutcomeOf interprets an envelope of this point answered by a script of
// the given form. Only one thing depends on the form: the claims of a
// credentials-exchange Action follow the Actions rules (see
// IsAllowedActionClaim) rather than the Hooks rules (see IsAllowedClaim).
func (t *Trigger) OutcomeOf(form Form, env Envelope) Outcome {
	if form == FormAction && t.ID == CredentialsExchange {
		return credentialsExchangeOutcomeOf(env, IsAllowedActionClaim)
	}
	return t.outcome(env)
}

func isObject(v goja.Value) bool {
	_, ok := v.(*goja.Object)
	return ok
}

var stringType = reflect.TypeFor[string]()

func isString(v goja.Value) bool {
	return v != nil && v.ExportType() == stringType
}

func isArray(v goja.Value) bool {
	o, ok := v.(*goja.Object)
	return ok && o.ClassName() == "Array"
}

func get(v goja.Value, key string) goja.Value {
	o, ok := v.(*goja.Object)
	if !ok {
		return goja.Undefined()
	}
	if x := o.Get(key); x != nil {
		return x
	}
	return goja.Undefined()
}

func notObject(what string) error {
	return &InputError{Message: what + " received by extensibility point is not an object"}
}

func notString(what string) error {
	return &InputError{Message: what + " received by extensibility point is not a string"}
}

func credentialsExchangeArgs(vm *goja.Runtime, body goja.Value, webtask *goja.Object) ([]goja.Value, error) {
	if !isObject(body) {
		return nil, notObject("Body")
	}
	client, scope, audience := get(body, "client"), get(body, "scope"), get(body, "audience")
	if !isObject(client) {
		return nil, notObject("Body .client")
	}
	if scope.ToBoolean() && !isArray(scope) {
		return nil, &InputError{Message: "Body .scope received by extensibility point is neither empty nor an array"}
	}
	if !isString(audience) {
		return nil, notString("Body .audience")
	}
	// The caller's context object is used as it is, not copied.
	ctx, ok := get(body, "context").(*goja.Object)
	if !ok {
		ctx = vm.NewObject()
	}
	if err := ctx.Set("webtask", webtask); err != nil {
		return nil, err
	}
	return withRoom(client, scope, audience, ctx), nil
}

func userRegistrationArgs(_ *goja.Runtime, body goja.Value, webtask *goja.Object) ([]goja.Value, error) {
	if !isObject(body) {
		return nil, notObject("Body")
	}
	user, context := get(body, "user"), get(body, "context")
	if !isObject(user) {
		return nil, notObject("Body.user")
	}
	if !isObject(context) {
		return nil, notObject("Body.context")
	}
	if !isObject(get(context, "connection")) {
		return nil, notObject("Body.context.connection")
	}
	// Auth0's compiler gave the script a shallow copy of body.context so
	// that its caller's object stayed as it was. The script never sees the
	// body, so adding webtask to body.context itself is the same to it, and
	// saves the copy; callers of Args that keep using body see webtask in it.
	ctx := context.(*goja.Object)
	if err := ctx.Set("webtask", webtask); err != nil {
		return nil, err
	}
	return withRoom(user, ctx), nil
}

func sendPhoneMessageArgs(_ *goja.Runtime, body goja.Value, webtask *goja.Object) ([]goja.Value, error) {
	if !isObject(body) {
		return nil, notObject("Body")
	}
	recipient, text, context := get(body, "recipient"), get(body, "text"), get(body, "context")
	switch {
	case !isString(recipient):
		return nil, notString("Body.recipient")
	case !isString(text):
		return nil, notString("Body.text")
	case !isObject(context):
		return nil, notObject("Body.context")
	}
	if mt := get(context, "message_type"); !isString(mt) || (mt.String() != "sms" && mt.String() != "voice") {
		return nil, &InputError{Message: "Body.context.message_type received by extensibility point is not `sms` or `voice`"}
	}
	if a := get(context, "action"); !isString(a) || (a.String() != "enrollment" && a.String() != "second-factor-authentication") {
		return nil, &InputError{Message: "Body.context.action received by extensibility point is not `enrollment` or `second-factor-authentication`"}
	}
	for _, k := range []string{"language", "code", "ip", "user_agent"} {
		if !isString(get(context, k)) {
			return nil, notString("Body.context." + k)
		}
	}
	if client := get(context, "client"); !goja.IsUndefined(client) {
		if !isObject(client) {
			return nil, notObject("Body.context.client")
		}
		for _, k := range []string{"client_id", "name"} {
			if !isString(get(client, k)) {
				return nil, notString("Body.context.client." + k)
			}
		}
		if md := get(client, "client_metadata"); !goja.IsUndefined(md) && !isObject(md) {
			return nil, notObject("Body.context.client.client_metadata")
		}
	}
	if !isObject(get(context, "user")) {
		return nil, notObject("Body.context.user")
	}
	// The caller's context gets webtask added, as Auth0's compiler did.
	ctx := context.(*goja.Object)
	if err := ctx.Set("webtask", webtask); err != nil {
		return nil, err
	}
	return withRoom(recipient, text, ctx), nil
}
