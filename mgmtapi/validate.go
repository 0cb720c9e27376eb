package mgmtapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/hookengine/hookengine/store"
	"github.com/hookengine/hookengine/triggers"
)

// Request validation follows the Management API's JSON schemas
// (CreateHookRequestContent, UpdateHookRequestContent and the secrets
// bodies), with messages in the form Auth0's API gave them:
//
//	Payload validation error: 'Missing required property: name'.
//	Payload validation error: 'Expected type boolean but found type string' on property enabled.
//
// The first problem found is reported.

// payloadError is a 400 for a body that breaks the schema; property names
// the offending property, "" for the body itself.
func payloadError(property, format string, args ...any) *Error {
	msg := "Payload validation error: '" + fmt.Sprintf(format, args...) + "'"
	if property != "" {
		msg += " on property " + property
	}
	return newError(http.StatusBadRequest, CodeInvalidBody, msg+".")
}

// queryError is a 400 for a query string that breaks the schema.
func queryError(property, format string, args ...any) *Error {
	return newError(http.StatusBadRequest, CodeInvalidQuery,
		"Query validation error: '"+fmt.Sprintf(format, args...)+"' on property "+property+".")
}

var errInvalidJSON = newError(http.StatusBadRequest, CodeInvalidBody, messageInvalidJSON)

// jsonType names the JSON type of a raw value as JSON Schema does,
// distinguishing integers from other numbers.
func jsonType(raw json.RawMessage) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return "null"
	}
	switch raw[0] {
	case '{':
		return "object"
	case '[':
		return "array"
	case '"':
		return "string"
	case 't', 'f':
		return "boolean"
	case 'n':
		return "null"
	}
	if bytes.ContainsAny(raw, ".eE") {
		return "number"
	}
	return "integer"
}

// decodeBody checks that body is one JSON value of type want ("object" or
// "array") and returns it.
func decodeBody(body []byte, want string) (json.RawMessage, *Error) {
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, payloadError("", "Expected type %s but found type null", want)
	}
	if !json.Valid(body) {
		return nil, errInvalidJSON
	}
	if got := jsonType(body); got != want {
		return nil, payloadError("", "Expected type %s but found type %s", want, got)
	}
	return body, nil
}

// decodeObject decodes a JSON object body into its properties, rejecting
// properties outside allowed and checking required ones are present.
func decodeObject(body []byte, allowed, required []string) (map[string]json.RawMessage, *Error) {
	raw, perr := decodeBody(body, "object")
	if perr != nil {
		return nil, perr
	}
	var props map[string]json.RawMessage
	if err := json.Unmarshal(raw, &props); err != nil {
		return nil, errInvalidJSON
	}
	var extra []string
	for _, k := range slices.Sorted(maps.Keys(props)) {
		if !slices.Contains(allowed, k) {
			extra = append(extra, k)
		}
	}
	if len(extra) > 0 {
		return nil, payloadError("", "Additional properties not allowed: %s", strings.Join(extra, ","))
	}
	for _, k := range required {
		if _, ok := props[k]; !ok {
			return nil, payloadError("", "Missing required property: %s", k)
		}
	}
	return props, nil
}

func decodeString(props map[string]json.RawMessage, name string) (string, *Error) {
	raw := props[name]
	if t := jsonType(raw); t != "string" {
		return "", payloadError(name, "Expected type string but found type %s", t)
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", errInvalidJSON
	}
	return s, nil
}

func decodeBool(props map[string]json.RawMessage, name string) (bool, *Error) {
	raw := props[name]
	if t := jsonType(raw); t != "boolean" {
		return false, payloadError(name, "Expected type boolean but found type %s", t)
	}
	return bytes.Equal(bytes.TrimSpace(raw), []byte("true")), nil
}

// decodeStringMap decodes an object whose values must all be strings;
// property names the object in messages ("" for the body).
func decodeStringMap(raw json.RawMessage, property string) (map[string]string, *Error) {
	if t := jsonType(raw); t != "object" {
		return nil, payloadError(property, "Expected type object but found type %s", t)
	}
	var props map[string]json.RawMessage
	if err := json.Unmarshal(raw, &props); err != nil {
		return nil, errInvalidJSON
	}
	out := make(map[string]string, len(props))
	for _, k := range slices.Sorted(maps.Keys(props)) {
		where := k
		if property != "" {
			where = property + "." + k
		}
		if t := jsonType(props[k]); t != "string" {
			return nil, payloadError(where, "Expected type string but found type %s", t)
		}
		var v string
		if err := json.Unmarshal(props[k], &v); err != nil {
			return nil, errInvalidJSON
		}
		out[k] = v
	}
	return out, nil
}

// checkName applies store.CheckName, the one rule for names, and answers
// in the words of Auth0's schema validator followed by the reason.
func checkName(name string) *Error {
	err := store.CheckName(name)
	if err == nil {
		return nil
	}
	var e *Error
	if n := utf8.RuneCountInString(name); n > store.MaxNameLength {
		e = payloadError("name", "String is too long (%d chars), maximum %d", n, store.MaxNameLength)
	} else {
		e = payloadError("name", "String does not match pattern %s: %s", store.NamePattern, name)
	}
	e.Message = strings.TrimSuffix(e.Message, ".") + ": " + strings.TrimPrefix(err.Error(), store.ErrInvalid.Error()+": ") + "."
	return e
}

func checkScript(script string) *Error {
	if script == "" {
		return payloadError("script", "String is too short (0 chars), minimum 1")
	}
	return nil
}

func triggerList() string {
	var ids []string
	for _, id := range triggers.IDs() {
		ids = append(ids, string(id))
	}
	return strings.Join(ids, ", ")
}

// parseCreate validates a POST /hooks body (CreateHookRequestContent:
// required name, script and triggerId; optional enabled, default false, and
// dependencies; nothing else).
func parseCreate(body []byte) (*store.Hook, *Error) {
	props, perr := decodeObject(body,
		[]string{"name", "script", "enabled", "triggerId", "dependencies"},
		[]string{"name", "script", "triggerId"})
	if perr != nil {
		return nil, perr
	}
	h := &store.Hook{Dependencies: map[string]string{}}
	if h.Name, perr = decodeString(props, "name"); perr != nil {
		return nil, perr
	}
	if perr = checkName(h.Name); perr != nil {
		return nil, perr
	}
	if h.Script, perr = decodeString(props, "script"); perr != nil {
		return nil, perr
	}
	if perr = checkScript(h.Script); perr != nil {
		return nil, perr
	}
	trigger, perr := decodeString(props, "triggerId")
	if perr != nil {
		return nil, perr
	}
	if _, ok := triggers.Lookup(triggers.ID(trigger)); !ok {
		return nil, payloadError("triggerId", "No enum match for: %q", trigger)
	}
	h.TriggerID = triggers.ID(trigger)
	if _, ok := props["enabled"]; ok {
		if h.Enabled, perr = decodeBool(props, "enabled"); perr != nil {
			return nil, perr
		}
	}
	if raw, ok := props["dependencies"]; ok {
		if h.Dependencies, perr = decodeStringMap(raw, "dependencies"); perr != nil {
			return nil, perr
		}
	}
	return h, nil
}

// parsePatch validates a PATCH /hooks/{id} body (UpdateHookRequestContent:
// at least one of name, script, enabled, dependencies; triggerId cannot
// change, so it is refused like any other property).
func parsePatch(body []byte) (store.HookPatch, *Error) {
	var p store.HookPatch
	props, perr := decodeObject(body, []string{"name", "script", "enabled", "dependencies"}, nil)
	if perr != nil {
		return p, perr
	}
	if len(props) == 0 {
		return p, payloadError("", "Too few properties defined (0), minimum 1")
	}
	if _, ok := props["name"]; ok {
		name, perr := decodeString(props, "name")
		if perr != nil {
			return p, perr
		}
		if perr = checkName(name); perr != nil {
			return p, perr
		}
		p.Name = &name
	}
	if _, ok := props["script"]; ok {
		script, perr := decodeString(props, "script")
		if perr != nil {
			return p, perr
		}
		if perr = checkScript(script); perr != nil {
			return p, perr
		}
		p.Script = &script
	}
	if _, ok := props["enabled"]; ok {
		enabled, perr := decodeBool(props, "enabled")
		if perr != nil {
			return p, perr
		}
		p.Enabled = &enabled
	}
	if raw, ok := props["dependencies"]; ok {
		if p.Dependencies, perr = decodeStringMap(raw, "dependencies"); perr != nil {
			return p, perr
		}
	}
	return p, nil
}

// parseSecrets validates a POST or PATCH /hooks/{id}/secrets body: an object
// of 1 to 20 secrets whose values are strings.
func parseSecrets(body []byte) (map[string]string, *Error) {
	raw, perr := decodeBody(body, "object")
	if perr != nil {
		return nil, perr
	}
	secrets, perr := decodeStringMap(raw, "")
	if perr != nil {
		return nil, perr
	}
	switch n := len(secrets); {
	case n == 0:
		return nil, payloadError("", "Too few properties defined (0), minimum 1")
	case n > store.MaxSecrets:
		return nil, payloadError("", "Too many properties defined (%d), maximum %d", n, store.MaxSecrets)
	}
	if _, ok := secrets[""]; ok {
		return nil, payloadError("", "Secret names must not be empty")
	}
	return secrets, nil
}

// parseSecretNames validates a DELETE /hooks/{id}/secrets body: a non-empty
// array of secret names.
func parseSecretNames(body []byte) ([]string, *Error) {
	raw, perr := decodeBody(body, "array")
	if perr != nil {
		return nil, perr
	}
	var items []json.RawMessage
	if err := json.Unmarshal(raw, &items); err != nil {
		return nil, errInvalidJSON
	}
	if len(items) == 0 {
		return nil, payloadError("", "Array is too short (0), minimum 1")
	}
	names := make([]string, len(items))
	for i, it := range items {
		if t := jsonType(it); t != "string" {
			return nil, payloadError(fmt.Sprintf("[%d]", i), "Expected type string but found type %s", t)
		}
		if err := json.Unmarshal(it, &names[i]); err != nil {
			return nil, errInvalidJSON
		}
	}
	return names, nil
}

// DefaultPerPage is how many hooks GET /api/v2/hooks returns without
// per_page; MaxPerPage is the most it returns with.
const (
	DefaultPerPage = 50
	MaxPerPage     = 100
)

// listQuery is a validated query string of GET /api/v2/hooks.
type listQuery struct {
	opts          store.ListOptions
	page, perPage int
	includeTotals bool
	fields        fieldSet
}

// hookFields are the properties of a hook in responses, in the order
// Auth0's API wrote them.
var hookFields = []string{"id", "name", "script", "dependencies", "enabled", "triggerId"}

// fieldSet selects hook properties; nil selects all.
type fieldSet map[string]bool

// parseFields reads the fields and include_fields parameters: a
// comma-separated list of hook properties to include, or with
// include_fields=false to leave out.
func parseFields(q url.Values) (fieldSet, *Error) {
	include := true
	if v, ok := first(q, "include_fields"); ok {
		b, perr := queryBool("include_fields", v)
		if perr != nil {
			return nil, perr
		}
		include = b
	}
	list, ok := first(q, "fields")
	if !ok || strings.TrimSpace(list) == "" {
		return nil, nil
	}
	named := map[string]bool{}
	for _, f := range strings.Split(list, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		if !slices.Contains(hookFields, f) {
			return nil, queryError("fields", "Unknown field %q; hooks have %s", f, strings.Join(hookFields, ", "))
		}
		named[f] = true
	}
	set := fieldSet{}
	for _, f := range hookFields {
		if named[f] == include {
			set[f] = true
		}
	}
	return set, nil
}

// parseListQuery validates the query string of GET /api/v2/hooks. Unknown
// parameters are ignored.
func parseListQuery(q url.Values) (*listQuery, *Error) {
	lq := &listQuery{perPage: DefaultPerPage}
	var perr *Error
	if v, ok := first(q, "page"); ok {
		if lq.page, perr = queryInt("page", v, 0, -1); perr != nil {
			return nil, perr
		}
	}
	if v, ok := first(q, "per_page"); ok {
		if lq.perPage, perr = queryInt("per_page", v, 0, MaxPerPage); perr != nil {
			return nil, perr
		}
	}
	if v, ok := first(q, "include_totals"); ok {
		if lq.includeTotals, perr = queryBool("include_totals", v); perr != nil {
			return nil, perr
		}
	}
	if v, ok := first(q, "enabled"); ok {
		b, perr := queryBool("enabled", v)
		if perr != nil {
			return nil, perr
		}
		lq.opts.Enabled = &b
	}
	if v, ok := first(q, "triggerId"); ok {
		if _, known := triggers.Lookup(triggers.ID(v)); !known {
			return nil, queryError("triggerId", "No enum match for: %q", v)
		}
		lq.opts.TriggerID = triggers.ID(v)
	}
	if lq.fields, perr = parseFields(q); perr != nil {
		return nil, perr
	}
	// Guard the multiplication: a page past every possible hook is simply
	// empty.
	const maxOffset = 1 << 30
	if lq.page > maxOffset/max(lq.perPage, 1) {
		lq.opts.Offset = maxOffset
	} else {
		lq.opts.Offset = lq.page * lq.perPage
	}
	lq.opts.Limit = lq.perPage
	return lq, nil
}

// first returns the first value of parameter name.
func first(q url.Values, name string) (string, bool) {
	vs, ok := q[name]
	if !ok || len(vs) == 0 {
		return "", false
	}
	return vs[0], true
}

// queryInt parses an integer parameter within [lo, hi] (hi < 0: no upper
// bound).
func queryInt(name, v string, lo, hi int) (int, *Error) {
	n, err := strconv.Atoi(v)
	if errors.Is(err, strconv.ErrRange) {
		return 0, queryError(name, "Value %s is out of range", v)
	}
	if err != nil {
		return 0, queryError(name, "Expected type integer but found type string")
	}
	if n < lo {
		return 0, queryError(name, "Value %d is less than minimum %d", n, lo)
	}
	if hi >= 0 && n > hi {
		return 0, queryError(name, "Value %d is greater than maximum %d", n, hi)
	}
	return n, nil
}

func queryBool(name, v string) (bool, *Error) {
	switch v {
	case "true":
		return true, nil
	case "false":
		return false, nil
	}
	return false, queryError(name, "Expected type boolean but found type string")
}
