// Package redact removes secret values from what hookengine shows: console
// lines, logs, error messages and stacks, and JSON documents such as run
// results.
//
// Strings are redacted before they are encoded wherever the encoder is
// hookengine's own (Value on a decoded string, JSON by decoding, redacting
// every string and re-encoding), so no escaping can hide a secret. Text
// that reaches hookengine already encoded (a console line that passed
// through JSON.stringify, a log line) is matched against the secret and
// against every form the encoders that produce such text give it: JSON
// string escapes as JavaScript's JSON.stringify and Go's encoding/json
// write them (with and without HTML escaping, U+2028 and U+2029 escaped or
// not), and the single- and double-quoted forms of Node's util.inspect.
// Those encoders escape character by character, so a secret inside a longer
// encoded string appears as its own encoded form and is found.
//
// What no redactor can find: a secret the script transforms (reversed,
// encoded in base64, split into pieces printed apart), and values shorter
// than MinLen characters (see MinLen).
package redact

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Mask replaces each secret value.
const Mask = "[REDACTED]"

// MinLen is the shortest secret value, in characters, that is redacted.
// Shorter values are left alone on purpose: masking every "abc" or "42" in
// the output would blank ordinary words and numbers, and the places the
// mask appeared would tell a reader the value anyway. Operators should use
// secrets of at least 16 characters; every real API key is far longer.
const MinLen = 4

// Redactor replaces a fixed set of secret values. A nil *Redactor
// redacts nothing. It is safe for concurrent use.
type Redactor struct {
	secrets  []string // raw values, longest first
	replacer *strings.Replacer
}

// New returns a Redactor of values, or nil when none is at least MinLen
// characters long.
func New(values ...string) *Redactor {
	var secrets []string
	for _, v := range values {
		if utf8.RuneCountInString(v) >= MinLen && !slices.Contains(secrets, v) {
			secrets = append(secrets, v)
		}
	}
	if len(secrets) == 0 {
		return nil
	}
	forms := map[string]bool{}
	for _, v := range secrets {
		for _, f := range Forms(v) {
			forms[f] = true
		}
	}
	// Longer forms first: strings.Replacer tries its patterns in order at
	// each position, so a secret that contains another is masked whole.
	patterns := make([]string, 0, len(forms))
	for f := range forms {
		patterns = append(patterns, f)
	}
	slices.SortFunc(patterns, func(a, b string) int {
		if len(a) != len(b) {
			return len(b) - len(a)
		}
		return strings.Compare(a, b)
	})
	pairs := make([]string, 0, 2*len(patterns))
	for _, p := range patterns {
		pairs = append(pairs, p, Mask)
	}
	slices.SortFunc(secrets, func(a, b string) int { return len(b) - len(a) })
	return &Redactor{secrets: secrets, replacer: strings.NewReplacer(pairs...)}
}

// FromMap returns a Redactor of the values of secrets (see New).
func FromMap(secrets map[string]string) *Redactor {
	values := make([]string, 0, len(secrets))
	for _, v := range secrets {
		values = append(values, v)
	}
	return New(values...)
}

// Forms returns the forms v takes in encoded text, v itself first: JSON
// string escapes (JavaScript's JSON.stringify, Go's encoding/json with and
// without HTML escaping) and util.inspect's quoted forms, without their
// surrounding quotes. Duplicates are left out.
func Forms(v string) []string {
	forms := []string{v}
	add := func(f string) {
		if !slices.Contains(forms, f) {
			forms = append(forms, f)
		}
	}
	for _, style := range jsonStyles {
		add(escapeJSON(v, style))
	}
	add(escapeInspect(v, '\''))
	add(escapeInspect(v, '"'))
	return forms
}

// Value redacts decoded text: a string before it is encoded, a console
// line, a message.
func (r *Redactor) Value(s string) string {
	if r == nil || s == "" {
		return s
	}
	return r.replacer.Replace(s)
}

// Contains reports whether s still holds a secret value in any form.
func (r *Redactor) Contains(s string) bool {
	return r != nil && r.replacer.Replace(s) != s
}

// JSON redacts a JSON document: it decodes it, redacts every string (object
// keys included) and encodes it again, compact, keeping the order of keys
// and numbers as written. If the encoded result still holds a secret (one
// the script spread over several strings and the punctuation between
// them), the whole document becomes the string Mask. Text that is not JSON
// is redacted as text.
func (r *Redactor) JSON(data []byte) []byte {
	if r == nil || len(data) == 0 {
		return data
	}
	var out bytes.Buffer
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := r.walk(dec, &out); err != nil {
		return []byte(r.Value(string(data)))
	}
	if _, err := dec.Token(); err == nil {
		// Trailing data: not one JSON document.
		return []byte(r.Value(string(data)))
	}
	if r.Contains(out.String()) {
		return []byte(`"` + Mask + `"`)
	}
	return out.Bytes()
}

// walk copies one JSON value from dec to out, redacting its strings.
func (r *Redactor) walk(dec *json.Decoder, out *bytes.Buffer) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	switch t := tok.(type) {
	case json.Delim:
		closing := byte('}')
		if t == '[' {
			closing = ']'
		} else if t != '{' {
			return fmt.Errorf("redact: unexpected %v", t)
		}
		out.WriteByte(byte(t))
		for n := 0; dec.More(); n++ {
			if n > 0 {
				out.WriteByte(',')
			}
			if closing == '}' {
				key, err := dec.Token()
				if err != nil {
					return err
				}
				k, ok := key.(string)
				if !ok {
					return fmt.Errorf("redact: object key %v", key)
				}
				writeString(out, r.Value(k))
				out.WriteByte(':')
			}
			if err := r.walk(dec, out); err != nil {
				return err
			}
		}
		if _, err := dec.Token(); err != nil {
			return err
		}
		out.WriteByte(closing)
	case string:
		writeString(out, r.Value(t))
	case json.Number:
		out.WriteString(t.String())
	case bool:
		out.WriteString(strconv.FormatBool(t))
	case nil:
		out.WriteString("null")
	default:
		return fmt.Errorf("redact: unexpected token %v", tok)
	}
	return nil
}

// writeString writes s as a JSON string without HTML escaping (U+2028 and
// U+2029 are escaped all the same).
func writeString(out *bytes.Buffer, s string) {
	enc := json.NewEncoder(out)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s) // a string always encodes
	out.Truncate(out.Len() - 1)
}

// jsonStyle is one encoder's choice of JSON string escapes.
type jsonStyle struct {
	html     bool // <, > and & as \u003c, \u003e, \u0026 (Go's default)
	lineSep  bool // U+2028 and U+2029 as \u2028, \u2029 (Go)
	shortBF  bool // \b and \f rather than \u0008, \u000c
	upperHex bool // \u001B rather than \u001b
}

var jsonStyles = []jsonStyle{
	{shortBF: true},                            // JSON.stringify (ECMAScript)
	{shortBF: true, upperHex: true},            // other JavaScript encoders
	{lineSep: true, shortBF: true},             // Go, SetEscapeHTML(false)
	{html: true, lineSep: true, shortBF: true}, // Go's default
	{html: true, lineSep: true},                // Go before 1.22
	{lineSep: true},
}

func escapeJSON(s string, st jsonStyle) string {
	var b strings.Builder
	hex := "0123456789abcdef"
	if st.upperHex {
		hex = "0123456789ABCDEF"
	}
	u := func(c rune) {
		b.WriteString(`\u`)
		for shift := 12; shift >= 0; shift -= 4 {
			b.WriteByte(hex[(c>>shift)&0xF])
		}
	}
	for _, c := range s {
		switch {
		case c == '"':
			b.WriteString(`\"`)
		case c == '\\':
			b.WriteString(`\\`)
		case c == '\n':
			b.WriteString(`\n`)
		case c == '\r':
			b.WriteString(`\r`)
		case c == '\t':
			b.WriteString(`\t`)
		case c == '\b' && st.shortBF:
			b.WriteString(`\b`)
		case c == '\f' && st.shortBF:
			b.WriteString(`\f`)
		case c < 0x20:
			u(c)
		case st.html && (c == '<' || c == '>' || c == '&'):
			u(c)
		case st.lineSep && (c == '\u2028' || c == '\u2029'):
			u(c)
		default:
			b.WriteRune(c)
		}
	}
	return b.String()
}

// escapeInspect is a string as Node's util.inspect (and the engine's
// console) writes it between quotes q.
func escapeInspect(s string, q rune) string {
	var b strings.Builder
	for _, c := range s {
		switch {
		case c == q:
			b.WriteByte('\\')
			b.WriteRune(c)
		case c == '\\':
			b.WriteString(`\\`)
		case c == '\n':
			b.WriteString(`\n`)
		case c == '\r':
			b.WriteString(`\r`)
		case c == '\t':
			b.WriteString(`\t`)
		case c < 0x20:
			b.WriteString(`\x`)
			b.WriteString(strconv.FormatInt(int64(c)+0x100, 16)[1:])
		default:
			b.WriteRune(c)
		}
	}
	return b.String()
}
