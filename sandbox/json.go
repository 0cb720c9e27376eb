package sandbox

import (
	"bytes"
	"math"
	"math/big"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/dop251/goja"
)

// MaxNesting bounds how deeply nested data the natives that recurse over
// it accept: JSON.stringify and JSON.parse, Array.prototype.join and
// toString, flat. Deeper data is refused with a RangeError, as a Go stack
// overflow would otherwise end the whole process.
const MaxNesting = 1000

// stringifier is JSON.stringify as ECMAScript specifies it, with two
// additions: nesting deeper than MaxNesting throws a RangeError, and output
// beyond the execution's memory limit ends the execution.
type stringifier struct {
	r            *Runtime
	buf          bytes.Buffer
	replacer     goja.Callable
	propertyList []string
	gap          string
	indent       string
	// stack is the objects being serialised, outermost first, for cycle
	// detection; deep stacks are also indexed in stackSet.
	stack    []*goja.Object
	stackSet map[*goja.Object]struct{}
	stackBuf [8]*goja.Object // the stack's first storage
	// keys is a stack of the key lists of the objects being serialised.
	keys  []string
	depth int
	// maxBytes, when positive, bounds the output as it grows: past it the
	// result certainly exceeds the script's string length limit.
	maxBytes int
}

var bigIntType = reflect.TypeFor[*big.Int]()

// stringify implements JSON.stringify(value, replacer, space). With
// limited, the output is held to the execution's string length limit (a
// string for the script, not one for the engine).
func (r *Runtime) stringify(value, replacer, space goja.Value, limited bool) (string, bool) {
	s := stringifier{r: r}
	s.stack = s.stackBuf[:0]
	if limited {
		// A UTF-16 unit takes at most 3 bytes of UTF-8.
		s.maxBytes = 3 * r.maxString
	}
	if rep, ok := replacer.(*goja.Object); ok {
		if fn, ok := goja.AssertFunction(rep); ok {
			s.replacer = fn
		} else if rep.ClassName() == "Array" {
			s.propertyList = s.keyList(rep)
		}
	}
	s.gap = gapOf(r.vm, space)
	if r.jsonBufBusy {
		// A toJSON or replacer of an outer stringify is calling back.
		s.buf.Grow(64)
	} else {
		r.jsonBufBusy = true
		s.buf = *bytes.NewBuffer(r.jsonBuf[:0])
		s.keys = r.jsonKeys[:0]
		defer func() {
			r.jsonBufBusy = false
			if s.buf.Cap() <= maxKeptJSONBuf {
				r.jsonBuf = s.buf.Bytes()[:0]
			}
			clear(s.keys[:cap(s.keys)])
			if cap(s.keys) <= maxKeptScratch {
				r.jsonKeys = s.keys[:0]
			}
		}()
	}
	var holder *goja.Object
	if s.replacer != nil {
		// Only the replacer sees the holder.
		holder = r.vm.NewObject()
		_ = holder.Set("", value)
	}
	if o, isObj := value.(*goja.Object); value == nil || isObj && o == nil {
		value = goja.Null() // what the holder would hold
	}
	if !s.serialize("", holder, value) {
		return "", false
	}
	r.chargeAlloc(int64(s.buf.Len()))
	return s.buf.String(), true
}

// maxKeptJSONBuf bounds the output buffer a runtime keeps for the next
// JSON.stringify.
const maxKeptJSONBuf = 64 << 10

// keyList reads a replacer array: the property names to keep, in order,
// without duplicates.
func (s *stringifier) keyList(rep *goja.Object) []string {
	n := s.r.checkLength(rep.Get("length"))
	seen := map[string]bool{}
	var list []string
	for i := int64(0); i < n; i++ {
		v := rep.Get(strconv.FormatInt(i, 10))
		var name string
		switch {
		case v == nil:
			continue
		case isStringValue(v), isNumberValue(v):
			name = v.String()
		default:
			o, ok := v.(*goja.Object)
			if !ok || (o.ClassName() != "String" && o.ClassName() != "Number") {
				continue
			}
			name = o.String()
		}
		if !seen[name] {
			seen[name] = true
			list = append(list, name)
		}
	}
	return list
}

func gapOf(vm *goja.Runtime, space goja.Value) string {
	if o, ok := space.(*goja.Object); ok {
		switch o.ClassName() {
		case "Number":
			space = vm.ToValue(o.ToFloat())
		case "String":
			space = vm.ToValue(o.String())
		}
	}
	switch {
	case space == nil:
		return ""
	case isNumberValue(space):
		n := space.ToFloat()
		if n >= 1 {
			return strings.Repeat(" ", int(min(n, 10)))
		}
	case isStringValue(space):
		str := space.String()
		if utf8.RuneCountInString(str) > 10 {
			return string([]rune(str)[:10])
		}
		return str
	}
	return ""
}

func isStringValue(v goja.Value) bool {
	_, ok := v.(goja.String)
	return ok
}

func isNumberValue(v goja.Value) bool {
	if _, isObj := v.(*goja.Object); isObj {
		return false
	}
	switch kindOf(v) {
	case reflect.Int64, reflect.Float64:
		return true
	}
	return false
}

// kindOf is the kind of a primitive's Go export type, Invalid for undefined
// and null.
func kindOf(v goja.Value) reflect.Kind {
	if v == nil {
		return reflect.Invalid
	}
	t := v.ExportType()
	if t == nil {
		return reflect.Invalid
	}
	return t.Kind()
}

// property writes the serialisation of holder[key] and reports whether there
// was one (false for undefined, functions and symbols).
func (s *stringifier) property(key string, holder *goja.Object) bool {
	value := holder.Get(key)
	if value == nil {
		value = goja.Undefined()
	}
	return s.serialize(key, holder, value)
}

// serialize writes the serialisation of value, holder[key] (holder is nil
// at the top when there is no replacer), and reports whether there was one.
func (s *stringifier) serialize(key string, holder *goja.Object, value goja.Value) bool {
	vm := s.r.vm
	if o, ok := value.(*goja.Object); ok || value.ExportType() == bigIntType {
		var obj *goja.Object
		if ok {
			obj = o
		} else {
			obj = value.ToObject(vm)
		}
		if toJSON, ok := goja.AssertFunction(obj.Get("toJSON")); ok {
			v, err := toJSON(value, vm.ToValue(key))
			if err != nil {
				panic(err)
			}
			value = v
		}
	}
	if s.replacer != nil {
		v, err := s.replacer(holder, vm.ToValue(key), value)
		if err != nil {
			panic(err)
		}
		value = v
	}
	if o, ok := value.(*goja.Object); ok {
		switch o.ClassName() {
		case "Number":
			value = vm.ToValue(o.ToFloat())
		case "String":
			value = vm.ToValue(o.String())
		case "Boolean":
			value = vm.ToValue(o.Export())
		case "BigInt":
			panic(vm.NewTypeError("Do not know how to serialize a BigInt"))
		}
	}
	switch {
	case value == nil || goja.IsUndefined(value):
		return false
	case goja.IsNull(value):
		s.buf.WriteString("null")
		return true
	}
	if sym, ok := value.(*goja.Symbol); ok && sym != nil {
		return false
	}
	if str, ok := value.(goja.String); ok {
		s.r.chargeAlloc(int64(s.buf.Len()) + int64(str.Length()))
		s.checkLength()
		s.quote(str)
		return true
	}
	obj, isObj := value.(*goja.Object)
	if !isObj {
		switch kindOf(value) {
		case reflect.Bool:
			if value.ToBoolean() {
				s.buf.WriteString("true")
			} else {
				s.buf.WriteString("false")
			}
		case reflect.Int64:
			s.buf.Write(strconv.AppendInt(s.buf.AvailableBuffer(), value.ToInteger(), 10))
		case reflect.Float64:
			if f := value.ToFloat(); math.IsNaN(f) || math.IsInf(f, 0) {
				s.buf.WriteString("null")
			} else {
				s.buf.WriteString(value.String())
			}
		default:
			if value.ExportType() == bigIntType {
				panic(vm.NewTypeError("Do not know how to serialize a BigInt"))
			}
			return false
		}
		return true
	}
	if _, callable := goja.AssertFunction(obj); callable {
		return false
	}
	if obj.ClassName() == "RawJSON" {
		s.buf.WriteString(obj.Get("rawJSON").String())
		return true
	}
	s.enter(obj)
	defer s.leave(obj)
	if obj.ClassName() == "Array" {
		s.array(obj)
	} else {
		s.object(obj)
	}
	return true
}

// stackScan is the depth up to which cycle detection scans the stack
// rather than indexing it.
const stackScan = 32

func (s *stringifier) enter(obj *goja.Object) {
	if s.stackSet != nil {
		if _, cycle := s.stackSet[obj]; cycle {
			panic(s.r.vm.NewTypeError("Converting circular structure to JSON"))
		}
	} else if slices.Contains(s.stack, obj) {
		panic(s.r.vm.NewTypeError("Converting circular structure to JSON"))
	}
	s.depth++
	if s.depth > MaxNesting {
		panic(s.r.rangeError("Maximum call stack size exceeded (data nested deeper than %d levels)", MaxNesting))
	}
	s.stack = append(s.stack, obj)
	if s.stackSet != nil {
		s.stackSet[obj] = struct{}{}
	} else if len(s.stack) > stackScan {
		s.stackSet = make(map[*goja.Object]struct{}, 2*len(s.stack))
		for _, o := range s.stack {
			s.stackSet[o] = struct{}{}
		}
	}
	s.r.chargeAlloc(int64(s.buf.Len()))
	s.checkLength()
}

// checkLength ends the execution once the output is certainly longer than
// the script's string length limit.
func (s *stringifier) checkLength() {
	if s.maxBytes > 0 && s.buf.Len() > s.maxBytes {
		s.r.checkStringUnits(s.buf.Len())
	}
}

func (s *stringifier) leave(obj *goja.Object) {
	s.stack[len(s.stack)-1] = nil
	s.stack = s.stack[:len(s.stack)-1]
	if s.stackSet != nil {
		delete(s.stackSet, obj)
	}
	s.depth--
}

func (s *stringifier) object(obj *goja.Object) {
	outer := s.indent
	s.indent += s.gap
	keys, mark := s.propertyList, len(s.keys)
	if keys == nil {
		// Listed on the stack of key lists; nested objects list theirs
		// above, and a reallocation of the stack leaves these in place.
		s.keys = obj.AppendKeys(s.keys)
		keys = s.keys[mark:]
	}
	s.buf.WriteByte('{')
	empty := true
	for _, k := range keys {
		mark := s.buf.Len()
		if !empty {
			s.buf.WriteByte(',')
		}
		s.newline()
		s.quoteString(k)
		s.buf.WriteByte(':')
		if s.gap != "" {
			s.buf.WriteByte(' ')
		}
		if !s.property(k, obj) {
			s.buf.Truncate(mark)
			continue
		}
		empty = false
	}
	clear(s.keys[mark:])
	s.keys = s.keys[:mark]
	s.indent = outer
	if !empty {
		s.newline()
	}
	s.buf.WriteByte('}')
}

func (s *stringifier) array(obj *goja.Object) {
	outer := s.indent
	s.indent += s.gap
	n := s.r.checkLength(obj.Get("length"))
	s.r.chargeAlloc(int64(s.buf.Len()) + 2*n)
	s.buf.WriteByte('[')
	for i := int64(0); i < n; i++ {
		if i&0xfff == 0xfff {
			s.r.checkHalted()
		}
		if i > 0 {
			s.buf.WriteByte(',')
		}
		s.newline()
		if !s.property(strconv.FormatInt(i, 10), obj) {
			s.buf.WriteString("null")
		}
	}
	s.indent = outer
	if n > 0 {
		s.newline()
	}
	s.buf.WriteByte(']')
}

func (s *stringifier) newline() {
	if s.gap != "" {
		s.buf.WriteByte('\n')
		s.buf.WriteString(s.indent)
	}
}

// quote writes a script string as a JSON string, escaping lone surrogates
// as JSON.stringify does since ES2019.
func (s *stringifier) quote(str goja.String) {
	plain := str.String()
	if !strings.ContainsRune(plain, utf8.RuneError) {
		s.quoteString(plain)
		return
	}
	// The Go form lost lone surrogates; work on UTF-16 code units.
	s.buf.WriteByte('"')
	n := str.Length()
	for i := 0; i < n; i++ {
		if i&0xffff == 0xffff {
			s.r.checkHalted()
		}
		c := str.CharAt(i)
		switch {
		case c >= 0xD800 && c <= 0xDBFF && i+1 < n && str.CharAt(i+1) >= 0xDC00 && str.CharAt(i+1) <= 0xDFFF:
			s.buf.WriteRune(rune(c-0xD800)<<10 + rune(str.CharAt(i+1)-0xDC00) + 0x10000)
			i++
		case c >= 0xD800 && c <= 0xDFFF:
			s.buf.WriteString(`\u`)
			s.buf.WriteString(strconv.FormatInt(int64(c), 16))
		default:
			s.escapeRune(rune(c))
		}
	}
	s.buf.WriteByte('"')
}

func (s *stringifier) quoteString(str string) {
	s.buf.WriteByte('"')
	for i, c := range str {
		if i&0xffff == 0xffff {
			s.r.checkHalted()
		}
		s.escapeRune(c)
	}
	s.buf.WriteByte('"')
}

func (s *stringifier) escapeRune(c rune) {
	switch c {
	case '"':
		s.buf.WriteString(`\"`)
	case '\\':
		s.buf.WriteString(`\\`)
	case '\b':
		s.buf.WriteString(`\b`)
	case '\f':
		s.buf.WriteString(`\f`)
	case '\n':
		s.buf.WriteString(`\n`)
	case '\r':
		s.buf.WriteString(`\r`)
	case '\t':
		s.buf.WriteString(`\t`)
	default:
		if c < 0x20 {
			s.buf.WriteString(`\u00`)
			s.buf.WriteByte("0123456789abcdef"[c>>4])
			s.buf.WriteByte("0123456789abcdef"[c&15])
		} else {
			s.buf.WriteRune(c)
		}
	}
}

// checkJSONNesting refuses JSON text nested deeper than MaxNesting before
// it reaches the recursive parser.
func (r *Runtime) checkJSONNesting(text string) {
	if len(text) <= MaxNesting {
		return
	}
	depth, inString, escaped := 0, false, false
	for i := 0; i < len(text); i++ {
		c := text[i]
		switch {
		case inString:
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
		case c == '"':
			inString = true
		case c == '[' || c == '{':
			depth++
			if depth > MaxNesting {
				panic(r.syntaxError("JSON nested deeper than %d levels", MaxNesting))
			}
		case c == ']' || c == '}':
			depth--
		}
	}
}
