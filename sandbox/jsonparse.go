package sandbox

import (
	"slices"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/dop251/goja"
)

// jsonParser builds script values from JSON text in one pass: JSON.parse
// without a reviver, several times faster than goja's, which tokenizes
// through encoding/json. It accepts exactly RFC 8259 JSON; on anything else
// it reports failure and the caller falls back to goja's parser for the
// error a script expects. Like goja's, it replaces lone UTF-16 surrogates
// written as \u escapes with U+FFFD.
type jsonParser struct {
	vm    *goja.Runtime
	s     string
	i     int
	depth int
	buf   []byte
	// keys and vals are a stack of the members of the objects and arrays
	// being parsed (keys only for objects), each container's above its
	// parent's: a container is built at once from its members when it
	// closes, with storage of the right size.
	keys []string
	vals []goja.Value
}

// errJSON marks a parse failure; the caller reports it through goja.
type errJSON struct{}

// jsonScratch is the parser's stacks, kept by the runtime from one parse to
// the next (a parse runs no script, so parses never nest).
type jsonScratch struct {
	keys []string
	vals []goja.Value
}

// maxKeptScratch bounds the stacks a runtime keeps after a parse.
const maxKeptScratch = 1024

// parseJSON parses text, reporting false when it is not valid JSON or is
// nested deeper than MaxNesting.
func (r *Runtime) parseJSON(text string) (v goja.Value, ok bool) {
	p := jsonParser{vm: r.vm, s: text, keys: r.json.keys[:0], vals: r.json.vals[:0]}
	defer func() {
		// Drop the references the stacks hold, keep their storage.
		clear(p.keys[:cap(p.keys)])
		clear(p.vals[:cap(p.vals)])
		if cap(p.keys) <= maxKeptScratch && cap(p.vals) <= maxKeptScratch {
			r.json = jsonScratch{keys: p.keys[:0], vals: p.vals[:0]}
		}
		if x := recover(); x != nil {
			if _, isJSON := x.(errJSON); !isJSON {
				panic(x)
			}
			v, ok = nil, false
		}
	}()
	p.space()
	v = p.value()
	p.space()
	if p.i != len(p.s) {
		return nil, false
	}
	return v, true
}

func (p *jsonParser) fail() { panic(errJSON{}) }

func (p *jsonParser) space() {
	for p.i < len(p.s) {
		switch p.s[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

func (p *jsonParser) value() goja.Value {
	if p.i >= len(p.s) {
		p.fail()
	}
	switch c := p.s[p.i]; {
	case c == '{':
		return p.object()
	case c == '[':
		return p.array()
	case c == '"':
		return goja.StringValue(p.str())
	case c == '-' || c >= '0' && c <= '9':
		return p.number()
	case strings.HasPrefix(p.s[p.i:], "true"):
		p.i += 4
		return p.vm.ToValue(true)
	case strings.HasPrefix(p.s[p.i:], "false"):
		p.i += 5
		return p.vm.ToValue(false)
	case strings.HasPrefix(p.s[p.i:], "null"):
		p.i += 4
		return goja.Null()
	}
	p.fail()
	return nil
}

func (p *jsonParser) enter() {
	if p.depth++; p.depth > MaxNesting {
		p.fail()
	}
}

func (p *jsonParser) object() goja.Value {
	p.enter()
	p.i++ // {
	p.space()
	if p.i < len(p.s) && p.s[p.i] == '}' {
		p.i++
		p.depth--
		return p.vm.NewObject()
	}
	kmark, vmark := len(p.keys), len(p.vals)
	for {
		p.space()
		if p.i >= len(p.s) || p.s[p.i] != '"' {
			p.fail()
		}
		key := p.str()
		p.space()
		if p.i >= len(p.s) || p.s[p.i] != ':' {
			p.fail()
		}
		p.i++
		p.space()
		v := p.value()
		// Own data properties in order, a repeated key keeping its first
		// place and last value, "__proto__" an own property: what
		// JSON.parse's CreateDataProperty makes.
		p.keys = append(p.keys, key)
		p.vals = append(p.vals, v)
		p.space()
		if p.i >= len(p.s) {
			p.fail()
		}
		switch p.s[p.i] {
		case ',':
			p.i++
		case '}':
			p.i++
			p.depth--
			o := p.vm.NewPlainObject(p.keys[kmark:], p.vals[vmark:])
			clear(p.vals[vmark:])
			p.keys, p.vals = p.keys[:kmark], p.vals[:vmark]
			return o
		default:
			p.fail()
		}
	}
}

func (p *jsonParser) array() goja.Value {
	p.enter()
	p.i++ // [
	p.space()
	if p.i < len(p.s) && p.s[p.i] == ']' {
		p.i++
		p.depth--
		return p.vm.NewArrayFromValues(nil)
	}
	mark := len(p.vals)
	for {
		p.space()
		p.vals = append(p.vals, p.value())
		p.space()
		if p.i >= len(p.s) {
			p.fail()
		}
		switch p.s[p.i] {
		case ',':
			p.i++
		case ']':
			p.i++
			p.depth--
			items := slices.Clone(p.vals[mark:])
			clear(p.vals[mark:])
			p.vals = p.vals[:mark]
			return p.vm.NewArrayFromValues(items)
		default:
			p.fail()
		}
	}
}

// str reads a string literal.
func (p *jsonParser) str() string {
	p.i++ // opening quote
	start := p.i
	for p.i < len(p.s) {
		c := p.s[p.i]
		switch {
		case c == '"':
			s := p.s[start:p.i]
			p.i++
			if !utf8.ValidString(s) {
				return replaceInvalid([]byte(s))
			}
			return s
		case c == '\\':
			return p.escaped(start)
		case c < 0x20:
			p.fail()
		}
		p.i++
	}
	p.fail()
	return ""
}

// escaped finishes a string literal that has escapes, from its start.
func (p *jsonParser) escaped(start int) string {
	b := append(p.buf[:0], p.s[start:p.i]...)
	for p.i < len(p.s) {
		c := p.s[p.i]
		switch {
		case c == '"':
			p.i++
			p.buf = b
			if !utf8.Valid(b) {
				return replaceInvalid(b)
			}
			return string(b)
		case c < 0x20:
			p.fail()
		case c != '\\':
			b = append(b, c)
			p.i++
			continue
		}
		if p.i+1 >= len(p.s) {
			p.fail()
		}
		e := p.s[p.i+1]
		p.i += 2
		switch e {
		case '"', '\\', '/':
			b = append(b, e)
		case 'b':
			b = append(b, '\b')
		case 'f':
			b = append(b, '\f')
		case 'n':
			b = append(b, '\n')
		case 'r':
			b = append(b, '\r')
		case 't':
			b = append(b, '\t')
		case 'u':
			r := p.hex4()
			if utf16.IsSurrogate(r) {
				r2 := rune(-1)
				if strings.HasPrefix(p.s[p.i:], `\u`) {
					save := p.i
					p.i += 2
					r2 = p.hex4()
					if dec := utf16.DecodeRune(r, r2); dec != utf8.RuneError {
						r = dec
					} else {
						p.i = save
						r = utf8.RuneError
					}
				} else {
					r = utf8.RuneError
				}
			}
			b = utf8.AppendRune(b, r)
		default:
			p.fail()
		}
	}
	p.fail()
	return ""
}

func (p *jsonParser) hex4() rune {
	if p.i+4 > len(p.s) {
		p.fail()
	}
	n, err := strconv.ParseUint(p.s[p.i:p.i+4], 16, 32)
	if err != nil {
		p.fail()
	}
	p.i += 4
	return rune(n)
}

// number reads a number literal, checking JSON's grammar strictly.
func (p *jsonParser) number() goja.Value {
	start := p.i
	if p.s[p.i] == '-' {
		p.i++
	}
	switch {
	case p.i < len(p.s) && p.s[p.i] == '0':
		p.i++
	case p.i < len(p.s) && p.s[p.i] >= '1' && p.s[p.i] <= '9':
		p.digits()
	default:
		p.fail()
	}
	integral := true
	if p.i < len(p.s) && p.s[p.i] == '.' {
		integral = false
		p.i++
		if p.digits() == 0 {
			p.fail()
		}
	}
	if p.i < len(p.s) && (p.s[p.i] == 'e' || p.s[p.i] == 'E') {
		integral = false
		p.i++
		if p.i < len(p.s) && (p.s[p.i] == '+' || p.s[p.i] == '-') {
			p.i++
		}
		if p.digits() == 0 {
			p.fail()
		}
	}
	lit := p.s[start:p.i]
	if integral && len(lit) < 16 && lit != "-0" {
		n, _ := strconv.ParseInt(lit, 10, 64)
		return p.vm.ToValue(n)
	}
	f, err := strconv.ParseFloat(lit, 64)
	if err != nil {
		// Out of range: ParseFloat gives ±Inf, as JSON.parse does.
		if ne, ok := err.(*strconv.NumError); !ok || ne.Err != strconv.ErrRange {
			p.fail()
		}
	}
	return p.vm.ToValue(f)
}

func (p *jsonParser) digits() int {
	n := 0
	for p.i < len(p.s) && p.s[p.i] >= '0' && p.s[p.i] <= '9' {
		p.i++
		n++
	}
	return n
}

// replaceInvalid replaces every byte of b that is not part of valid UTF-8
// with U+FFFD, one per byte, as goja's parser (through encoding/json) does.
func replaceInvalid(b []byte) string {
	var out strings.Builder
	for len(b) > 0 {
		r, size := utf8.DecodeRune(b)
		out.WriteRune(r)
		b = b[size:]
	}
	return out.String()
}
