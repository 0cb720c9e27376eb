package triggers

import (
	"fmt"
	"strings"
)

// Form is the way a script is written. The engine runs all three forms on
// the same extensibility point with the same input checks, and turns their
// results into the same typed Outcome.
type Form string

// The script forms.
const (
	// FormDetect lets the engine tell the form from the script: a bare
	// function expression is FormRule; otherwise a module.exports that is
	// a function is FormHook, and an exports object with the point's
	// Action handler (see Trigger.ActionHandler) is FormAction.
	FormDetect Form = ""
	// FormHook is Auth0's Hooks form:
	// module.exports = function (user, context, cb) {...}.
	FormHook Form = "hook"
	// FormAction is Auth0's Actions form:
	// exports.onExecutePreUserRegistration = async (event, api) => {...}.
	FormAction Form = "action"
	// FormRule is a bare function, as Auth0's Rules were written and as
	// Auth0's API stored some hook scripts:
	// function (user, context, callback) {...}. It runs as the Hooks form
	// and must declare exactly the point's parameters (Trigger.Params).
	FormRule Form = "rule"
)

// ParseForm checks a form name: "", "hook", "action" or "rule".
func ParseForm(s string) (Form, error) {
	switch f := Form(s); f {
	case FormDetect, FormHook, FormAction, FormRule:
		return f, nil
	}
	return "", fmt.Errorf("unknown script form %q (want hook, action or rule)", s)
}

// actionHandlers are the names of the Action handlers the five points
// export, as Auth0's Actions documentation names them.
var actionHandlers = map[ID]string{
	CredentialsExchange:  "onExecuteCredentialsExchange",
	PreUserRegistration:  "onExecutePreUserRegistration",
	PostUserRegistration: "onExecutePostUserRegistration",
	PostChangePassword:   "onExecutePostChangePassword",
	SendPhoneMessage:     "onExecuteSendPhoneMessage",
}

// ActionHandler returns the name of the function an Action script for the
// point exports, such as "onExecutePreUserRegistration".
func (t *Trigger) ActionHandler() string { return actionHandlers[t.ID] }

// RuleArity checks the parameter count of a bare-function script: it must
// take the point's arguments, the callback included (three for the user
// points, as Rules did). The error says which parameters the point passes.
func (t *Trigger) RuleArity(params int) error {
	if params == len(t.Params) {
		return nil
	}
	return fmt.Errorf("a bare function runs as the %s hook function, which is called with (%s): it must declare %d parameters, not %d",
		t.ID, strings.Join(t.Params, ", "), len(t.Params), params)
}

// restrictedClaims are the claim names Auth0 does not let any extensibility
// code set ("Create Custom Claims", General restrictions). An Action that
// sets one keeps running and the claim is left out of the token.
var restrictedClaims = map[string]bool{}

func init() {
	for _, c := range strings.Fields(`acr act active amr at_hash ath attest aud auth_time authorization_details
		azp c_hash client_id cnf cty dest entitlements events exp groups gty htm htu iat internalService iss
		jcard jku jti jwe jwk kid may_act mky nbf nonce object_id org_id org_name orig origid permissions
		roles rph s_hash sid sip_callid sip_cseq_num sip_date sip_from_tag sip_via_branch sub sub_jwk toe
		txn typ uuid vot vtm x5t#S256 scope`) {
		restrictedClaims[c] = true
	}
}

// IsAllowedActionClaim reports whether api.accessToken.setCustomClaim(name,
// ...) in a credentials-exchange Action adds a claim: Actions may set
// namespaced and non-namespaced claims, except the names Auth0 restricts
// (sub, aud, scope, permissions, ...) and URLs whose host is auth0.com,
// webtask.io, webtask.run or one of their subdomains.
func IsAllowedActionClaim(name string) bool {
	if name == "" || restrictedClaims[name] {
		return false
	}
	if strings.HasPrefix(name, "http://") || strings.HasPrefix(name, "https://") {
		return IsAllowedClaim(name)
	}
	return true
}

// reservedAppMetadata are the property names app_metadata must not have
// (Auth0's "Metadata Field Names and Data Types", Restrictions).
var reservedAppMetadata = map[string]bool{}

func init() {
	for _, k := range strings.Fields(`__tenant _id blocked clientID created_at email_verified email globalClientID
		global_client_id identities lastIP lastLogin loginsCount metadata multifactor_last_modified multifactor
		updated_at user_id`) {
		reservedAppMetadata[k] = true
	}
}
