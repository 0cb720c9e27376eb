package triggers

import (
	"encoding/json"
	"fmt"
)

// Status is the status field of an Envelope.
type Status string

// The two statuses of an Envelope.
const (
	StatusSuccess Status = "success"
	StatusError   Status = "error"
)

// Envelope is the response Auth0's Hooks runtime sent back for one run:
// {"status":"success","data":X} where X is the value the script passed to
// its callback, or {"status":"error","data":{...}} holding the own properties
// of the error (message, name, stack, friendlyMessage, ...).
//
// Data is the JSON text exactly as JSON.stringify produced it. It is empty
// when the script called back with a value JSON.stringify turns into
// undefined (undefined itself, a function), in which case Auth0's response
// carried no data field either.
type Envelope struct {
	Status Status          `json:"status"`
	Data   json.RawMessage `json:"data,omitempty"`
}

// Succeeded reports whether the envelope has status success.
func (e Envelope) Succeeded() bool { return e.Status == StatusSuccess }

// ErrorEnvelope builds an error envelope from error properties, in the
// order given (name/value pairs).
func ErrorEnvelope(props ...string) Envelope {
	if len(props)%2 != 0 {
		panic("triggers: ErrorEnvelope needs name/value pairs")
	}
	b := []byte{'{'}
	for i := 0; i < len(props); i += 2 {
		if i > 0 {
			b = append(b, ',')
		}
		k, _ := json.Marshal(props[i])
		v, _ := json.Marshal(props[i+1])
		b = append(b, k...)
		b = append(b, ':')
		b = append(b, v...)
	}
	b = append(b, '}')
	return Envelope{Status: StatusError, Data: b}
}

// Failure is a hook's error as its error envelope describes it.
type Failure struct {
	// Name is the error's name property: the class of the injected errors
	// (InvalidScopeError, PreUserRegistrationError, ...), "" for a plain Error
	// (which has no own name).
	Name string
	// Message is the error's message, meant for the tenant's logs.
	Message string
	// FriendlyMessage is the message meant for the end user, set by
	// PreUserRegistrationError and SendPhoneMessageError; "" otherwise, in
	// which case show a generic message.
	FriendlyMessage string
	// Code is the code property when the error has a string one; hookengine
	// sets it on the errors it raises itself (see package engine).
	Code string
	// Data is the whole error object from the envelope.
	Data json.RawMessage
}

func (f *Failure) Error() string {
	if f.Name == "" {
		return f.Message
	}
	return f.Name + ": " + f.Message
}

// ParseFailure reads the Failure an error envelope describes. It returns nil
// for a success envelope.
func ParseFailure(env Envelope) *Failure {
	if env.Status != StatusError {
		return nil
	}
	var props map[string]any
	_ = json.Unmarshal(env.Data, &props)
	str := func(k string) string {
		if s, ok := props[k].(string); ok {
			return s
		}
		return ""
	}
	f := &Failure{
		Name:            str("name"),
		Message:         str("message"),
		FriendlyMessage: str("friendlyMessage"),
		Code:            str("code"),
		Data:            env.Data,
	}
	if _, ok := props["message"]; ok && f.Message == "" && props["message"] != nil {
		f.Message = fmt.Sprint(props["message"])
	}
	return f
}
