package triggers_test

import (
	"encoding/json"
	"fmt"

	"github.com/hookengine/hookengine/triggers"
)

// Interpreting what a credentials-exchange hook answered.
func ExampleTrigger_Outcome() {
	t, _ := triggers.Lookup(triggers.CredentialsExchange)
	env := triggers.Envelope{
		Status: triggers.StatusSuccess,
		Data:   json.RawMessage(`{"scope":["read:users"],"https://example.com/plan":"gold","sub":"ignored"}`),
	}
	o := t.Outcome(env).(*triggers.CredentialsExchangeOutcome)
	fmt.Println(o.Scope, o.Claims, o.Ignored)

	env = triggers.ErrorEnvelope("message", "Scope is not permitted.", "name", "InvalidScopeError")
	o = t.Outcome(env).(*triggers.CredentialsExchangeOutcome)
	b, _ := json.Marshal(o.OAuthError)
	fmt.Println(o.OAuthError.StatusCode, string(b))
	// Output:
	// [read:users] map[https://example.com/plan:gold] [sub]
	// 400 {"error":"invalid_scope","error_description":"Scope is not permitted."}
}

// The five extensibility points and their script signatures.
func ExampleAll() {
	for _, t := range triggers.All() {
		fmt.Println(t.ID, t.Params, t.Blocking)
	}
	// Output:
	// credentials-exchange [client scope audience context cb] true
	// pre-user-registration [user context cb] true
	// post-user-registration [user context cb] false
	// post-change-password [user context cb] false
	// send-phone-message [recipient text context cb] true
}

// An Action's claims follow the Actions rules: non-namespaced names are
// claims too, restricted ones are ignored.
func ExampleTrigger_OutcomeOf() {
	t, _ := triggers.Lookup(triggers.CredentialsExchange)
	env := triggers.Envelope{
		Status: triggers.StatusSuccess,
		Data:   json.RawMessage(`{"scope":["read:users"],"plan":"gold","sub":"ignored"}`),
	}
	o := t.OutcomeOf(triggers.FormAction, env).(*triggers.CredentialsExchangeOutcome)
	fmt.Println(o.Scope, o.Claims, o.Ignored)
	// Output:
	// [read:users] map[plan:gold] [sub]
}

// The handler an Action script exports for each point.
func ExampleTrigger_ActionHandler() {
	for _, t := range triggers.All() {
		fmt.Println(t.ID, t.ActionHandler())
	}
	// Output:
	// credentials-exchange onExecuteCredentialsExchange
	// pre-user-registration onExecutePreUserRegistration
	// post-user-registration onExecutePostUserRegistration
	// post-change-password onExecutePostChangePassword
	// send-phone-message onExecuteSendPhoneMessage
}
