package mgmtapi

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
)

// Error is the body of every error response, in Auth0's shape:
//
//	{"statusCode":404,"error":"Not Found","message":"Error: Hook does not exist","errorCode":"HookDoesNotExist"}
//
// Error is also what Client methods return for an error response, so
// callers can test StatusCode and ErrorCode with errors.As.
type Error struct {
	// StatusCode is the HTTP status.
	StatusCode int `json:"statusCode"`
	// Err is the status's reason phrase, such as "Bad Request".
	Err string `json:"error"`
	// Message says what was wrong.
	Message string `json:"message"`
	// ErrorCode is a stable code for programs (see the Code constants).
	ErrorCode string `json:"errorCode"`
}

// Error describes the error response on one line.
func (e *Error) Error() string {
	return fmt.Sprintf("%d %s: %s (%s)", e.StatusCode, e.Err, e.Message, e.ErrorCode)
}

// Error codes. HookDoesNotExist, invalid_body, invalid_query_string and
// insufficient_scope are the codes Auth0's API answered with; the others
// name the remaining cases, the hookengine_ ones those of the endpoints
// Auth0 did not have.
const (
	CodeHookNotFound      = "HookDoesNotExist"
	CodeSecretNotFound    = "HookSecretDoesNotExist"
	CodeHookConflict      = "HookAlreadyExists"
	CodeSecretConflict    = "HookSecretAlreadyExists"
	CodeTooManySecrets    = "TooManyHookSecrets"
	CodeInvalidBody       = "invalid_body"
	CodeInvalidQuery      = "invalid_query_string"
	CodePayloadTooLarge   = "payload_too_large"
	CodeMissingAuth       = "missing_authentication"
	CodeInvalidToken      = "invalid_token"
	CodeInsufficientScope = "insufficient_scope"
	CodeNotFound          = "not_found"
	// CodeOnlyHooks answers a Management API resource other than hooks
	// (rules, clients, ...), which hookengine does not serve.
	CodeOnlyHooks         = "hookengine_only_hooks"
	CodeMethodNotAllowed  = "method_not_allowed"
	CodeInternal          = "internal_error"
	CodeUnavailable       = "unavailable"
	CodeNoHookEnabled     = "hookengine_no_hook_enabled"
	CodeUnknownTrigger    = "hookengine_unknown_trigger"
	CodeEngineUnavailable = "hookengine_unavailable"
	CodeRunTimeout        = "hookengine_run_timeout"
)

// Messages of the error bodies; those of Auth0's cases are Auth0's.
const (
	messageHookNotFound   = "Error: Hook does not exist"
	messageSecretNotFound = "Hook or secret not found."
	messageCreateConflict = "Hook with the same name already exists."
	messageUpdateConflict = "A hook with the same name already exists."
	messageSecretConflict = "Secret with the same name already exists."
	messageTooManySecrets = "A hook can have a maximum of 20 secrets."
	messageInvalidJSON    = "Invalid request payload JSON format"
	messageInternal       = "Internal error"
	messageMissingAuth    = "Missing authentication"
	messageInvalidToken   = "Invalid token"
	// messageExpiredToken is what Auth0's Management API answered for an
	// expired JWT.
	messageExpiredToken     = "Expired token received for JSON Web Token validation"
	messageInsufficientPre  = "Insufficient scope; expected any of: "
	messagePayloadTooLarge  = "Payload content length greater than maximum allowed: %d"
	messageNoHookEnabled    = "No hook is enabled for the extensibility point %s."
	messageUnknownTrigger   = "Unknown extensibility point %q; valid ones are %s."
	messageEngineNotRunning = "The hook engine is not running."
	messageOnlyHooks        = "hookengine serves only the hooks of the Management API (/api/v2/hooks), not /api/v2/%s. " +
		`With the Deploy CLI, manage only hooks: AUTH0_INCLUDED_ONLY: ["hooks"] in its config file, or AUTH0_INCLUDED_ONLY='["hooks"]' in its environment.`
	messageTooManyStreams = "Too many log streams are open; try again later."
	messageShuttingDown   = "The server is shutting down."
	messageRunTimeout     = "The hook run did not end by its deadline; it was abandoned."
)

func newError(status int, code, msg string) *Error {
	return &Error{StatusCode: status, Err: http.StatusText(status), Message: msg, ErrorCode: code}
}

// jsonContentType is the Content-Type of every response with a body, as
// Auth0's API sent it.
const jsonContentType = "application/json; charset=utf-8"

// writeJSON writes v as the JSON body of a response with the given status.
// HTML characters are not escaped: the body is JSON, never HTML, and
// scripts read better with their && intact.
func writeJSON(w http.ResponseWriter, status int, v any) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		// Only values this package builds are encoded; they always encode.
		b.Reset()
		status = http.StatusInternalServerError
		enc.Encode(newError(status, CodeInternal, messageInternal))
	}
	writeRaw(w, status, b.Bytes())
}

func writeRaw(w http.ResponseWriter, status int, body []byte) {
	h := w.Header()
	h.Set("Content-Type", jsonContentType)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(body)
}

func writeError(w http.ResponseWriter, e *Error) {
	writeJSON(w, e.StatusCode, e)
}
