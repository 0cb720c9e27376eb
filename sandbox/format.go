package sandbox

import (
	"math"
	"math/big"
	"reflect"
	"strconv"
	"strings"

	"github.com/dop251/goja"
)

// maxInspectBytes bounds the text one Inspect or Format call produces.
const maxInspectBytes = 16 << 10

// inspectDepth is how deep Inspect descends into nested objects, as Node's
// util.inspect does by default.
const inspectDepth = 2

// Format renders arguments the way Node's util.format does: a leading string
// may hold %s, %d, %i, %f, %j, %o, %O, %c and %% directives, and the
// remaining arguments follow, separated by spaces, strings as they are and
// other values inspected. Call it on the goroutine driving r.
func (r *Runtime) Format(args []goja.Value) string {
	in := r.inspector()
	rest := args
	if len(args) > 0 {
		if s, ok := stringValue(args[0]); ok {
			rest = in.directives(s, args[1:])
		}
	}
	for i, a := range rest {
		if i > 0 || len(rest) < len(args) {
			in.WriteByte(' ')
		}
		if s, ok := stringValue(a); ok {
			in.WriteString(in.text(s))
		} else {
			in.value(a, 0)
		}
		if in.full() {
			break
		}
	}
	return in.String()
}

// stringValue returns the text of a string primitive. Symbols, which goja
// exports as their description, are not strings.
func stringValue(v goja.Value) (string, bool) {
	if s, ok := v.(goja.String); ok {
		return s.String(), true
	}
	return "", false
}

// Inspect renders one value the way Node's util.inspect does, in a single
// line, except that a string at the top level is written as it is, without
// quotes. Call it on the goroutine driving r.
func (r *Runtime) Inspect(v goja.Value) string {
	in := r.inspector()
	in.value(v, 0)
	return in.String()
}

type inspector struct {
	strings.Builder
	r      *Runtime
	seen   []*goja.Object
	redact func(string) string // nil: nothing to redact
}

// Redactor is an optional interface of a Host. When the current execution's
// Host implements it, Format and Inspect pass every string they quote
// through Redact before escaping it, so a secret the Host redacts is
// removed whatever escapes the quoted form then gives it, and the strings
// and stacks they write without quotes too, before the output is cut to
// its size bound. The Host still gets the whole line in Console, for what
// only the line shows (a secret spread over two arguments).
type Redactor interface {
	Redact(s string) string
}

func (r *Runtime) inspector() *inspector {
	in := &inspector{r: r}
	if rd, ok := r.host.(Redactor); ok {
		in.redact = rd.Redact
	}
	return in
}

// text is script text written without quotes, redacted: it may hold a
// secret whole, and the output's size bound must not cut one in two.
func (in *inspector) text(s string) string {
	if in.redact == nil {
		return s
	}
	return in.redact(s)
}

func (in *inspector) full() bool { return in.Len() >= maxInspectBytes }

func (in *inspector) String() string {
	s := in.Builder.String()
	if len(s) > maxInspectBytes {
		s = s[:maxInspectBytes] + "…"
	}
	return s
}

// directives expands the format string f with args and returns the
// arguments it did not consume.
func (in *inspector) directives(f string, args []goja.Value) []goja.Value {
	f = in.text(f)
	for i := 0; i < len(f); i++ {
		c := f[i]
		if c != '%' || i+1 == len(f) {
			in.WriteByte(c)
			continue
		}
		d := f[i+1]
		if d == '%' {
			in.WriteByte('%')
			i++
			continue
		}
		if !strings.ContainsRune("sdifjoOc", rune(d)) {
			in.WriteByte(c)
			continue
		}
		if len(args) == 0 {
			in.WriteByte(c)
			continue
		}
		a := args[0]
		args = args[1:]
		i++
		switch d {
		case 's':
			switch a.(type) {
			case *goja.Object:
				in.value(a, inspectDepth)
			default:
				in.primitive(a, false)
			}
		case 'd', 'i', 'f':
			in.number(a, d)
		case 'j':
			s, ok, err := in.r.Stringify(a)
			switch {
			case err != nil:
				in.WriteString("[Circular]")
			case ok:
				in.WriteString(in.text(s))
			default:
				in.WriteString("undefined")
			}
		case 'o', 'O':
			in.value(a, 0)
		case 'c':
			// CSS styling has no meaning here.
		}
	}
	return args
}

func (in *inspector) number(a goja.Value, d byte) {
	if b, ok := a.Export().(*big.Int); ok {
		in.WriteString(b.String())
		in.WriteByte('n')
		return
	}
	if _, ok := a.(*goja.Object); ok && d != 'f' {
		in.WriteString("NaN")
		return
	}
	if _, ok := a.(*goja.Symbol); ok {
		in.WriteString("NaN")
		return
	}
	n := a.ToFloat()
	switch d {
	case 'i':
		if math.IsNaN(n) || math.IsInf(n, 0) {
			in.WriteString("NaN")
			return
		}
		n = math.Trunc(n)
	case 'f':
		if s, ok := a.Export().(string); ok {
			f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
			if err != nil {
				n = math.NaN()
			} else {
				n = f
			}
		}
	}
	in.WriteString(in.formatNumber(n))
}

func (in *inspector) formatNumber(n float64) string {
	if n == 0 && math.Signbit(n) {
		return "-0"
	}
	return in.r.vm.ToValue(n).String()
}

// primitive writes a non-object value; quoted strings are used inside
// objects and arrays.
func (in *inspector) primitive(v goja.Value, quote bool) {
	switch {
	case v == nil || goja.IsUndefined(v):
		in.WriteString("undefined")
		return
	case goja.IsNull(v):
		in.WriteString("null")
		return
	}
	if s, ok := v.(*goja.Symbol); ok {
		in.WriteString("Symbol(" + s.String() + ")")
		return
	}
	switch x := v.Export().(type) {
	case string:
		if quote {
			in.quote(x)
		} else {
			in.WriteString(in.text(x))
		}
	case *big.Int:
		in.WriteString(x.String())
		in.WriteByte('n')
	case float64:
		in.WriteString(in.formatNumber(x))
	default:
		in.WriteString(v.String())
	}
}

func (in *inspector) quote(s string) {
	if in.redact != nil {
		s = in.redact(s)
	}
	q := byte('\'')
	if strings.IndexByte(s, '\'') >= 0 && strings.IndexByte(s, '"') < 0 {
		q = '"'
	}
	in.WriteByte(q)
	for _, c := range s {
		switch c {
		case rune(q):
			in.WriteByte('\\')
			in.WriteRune(c)
		case '\\':
			in.WriteString(`\\`)
		case '\n':
			in.WriteString(`\n`)
		case '\r':
			in.WriteString(`\r`)
		case '\t':
			in.WriteString(`\t`)
		default:
			if c < 0x20 {
				in.WriteString(`\x`)
				in.WriteString(strconv.FormatInt(int64(c)+0x100, 16)[1:])
			} else {
				in.WriteRune(c)
			}
		}
	}
	in.WriteByte(q)
}

// value writes v at nesting level depth (0 at the top).
func (in *inspector) value(v goja.Value, depth int) {
	if in.full() {
		return
	}
	obj, ok := v.(*goja.Object)
	if !ok {
		in.primitive(v, depth > 0)
		return
	}
	for _, s := range in.seen {
		if s == obj {
			in.WriteString("[Circular]")
			return
		}
	}
	switch obj.ClassName() {
	case "Function":
		name := obj.Get("name")
		if name == nil || name.String() == "" {
			in.WriteString("[Function (anonymous)]")
		} else {
			in.WriteString("[Function: " + name.String() + "]")
		}
		return
	case "Error":
		if stack := obj.Get("stack"); stack != nil && !goja.IsUndefined(stack) {
			in.WriteString(in.text(strings.TrimRight(stack.String(), "\n")))
		} else {
			in.WriteString(in.text(obj.String()))
		}
		return
	case "Date":
		in.date(obj)
		return
	case "RegExp", "String", "Number", "Boolean":
		in.WriteString(in.text(obj.String()))
		return
	}
	in.seen = append(in.seen, obj)
	defer func() { in.seen = in.seen[:len(in.seen)-1] }()
	if obj.ClassName() == "Array" {
		in.array(obj, depth)
		return
	}
	// goja reports Map, Set and Promise as plain objects; their export types
	// tell.
	switch obj.ExportType() {
	case promiseExportType:
		in.promise(obj.Export().(*goja.Promise), depth)
	case mapExportType:
		in.collection(obj, "Map", depth)
	case setExportType:
		in.collection(obj, "Set", depth)
	default:
		in.object(obj, depth)
	}
}

// IsPromise reports whether v is a promise, without exporting it: Export
// of an ordinary object converts all of it.
func IsPromise(v goja.Value) bool {
	o, ok := v.(*goja.Object)
	return ok && o.ExportType() == promiseExportType
}

var (
	mapExportType     = reflect.TypeFor[[][2]any]()
	promiseExportType = reflect.TypeFor[*goja.Promise]()
	setExportType     = reflect.TypeFor[[]any]()
)

func (in *inspector) date(obj *goja.Object) {
	iso, ok := goja.AssertFunction(obj.Get("toISOString"))
	if ok {
		if s, err := iso(obj); err == nil {
			in.WriteString(s.String())
			return
		}
	}
	in.WriteString("Invalid Date")
}

func (in *inspector) promise(p *goja.Promise, depth int) {
	in.WriteString("Promise { ")
	switch p.State() {
	case goja.PromiseStatePending:
		in.WriteString("<pending>")
	case goja.PromiseStateRejected:
		in.WriteString("<rejected> ")
		in.value(p.Result(), depth+1)
	default:
		in.value(p.Result(), depth+1)
	}
	in.WriteString(" }")
}

const maxInspectItems = 100

func (in *inspector) array(obj *goja.Object, depth int) {
	n := obj.Get("length").ToInteger()
	if n == 0 {
		in.WriteString("[]")
		return
	}
	if depth > inspectDepth {
		in.WriteString("[Array]")
		return
	}
	in.WriteString("[ ")
	for i := int64(0); i < n && i < maxInspectItems; i++ {
		if i > 0 {
			in.WriteString(", ")
		}
		in.value(obj.Get(strconv.FormatInt(i, 10)), depth+1)
		if in.full() {
			return
		}
	}
	if n > maxInspectItems {
		in.WriteString(", ... " + moreItems(n-maxInspectItems))
	}
	in.WriteString(" ]")
}

func (in *inspector) collection(obj *goja.Object, kind string, depth int) {
	size := obj.Get("size").ToInteger()
	isMap := kind == "Map"
	in.WriteString(kind + "(" + strconv.FormatInt(size, 10) + ") ")
	if size == 0 {
		in.WriteString("{}")
		return
	}
	if depth > inspectDepth {
		in.WriteString("{...}")
		return
	}
	in.WriteString("{ ")
	i := 0
	in.r.vm.ForOf(obj, func(item goja.Value) bool {
		if i > 0 {
			in.WriteString(", ")
		}
		if i >= maxInspectItems {
			in.WriteString("...")
			return false
		}
		i++
		if isMap {
			pair := item.ToObject(in.r.vm)
			in.value(pair.Get("0"), depth+1)
			in.WriteString(" => ")
			in.value(pair.Get("1"), depth+1)
		} else {
			in.value(item, depth+1)
		}
		return !in.full()
	})
	in.WriteString(" }")
}

func (in *inspector) object(obj *goja.Object, depth int) {
	prefix := ""
	if proto := obj.Prototype(); proto == nil {
		prefix = "[Object: null prototype] "
	} else if ctor, ok := proto.Get("constructor").(*goja.Object); ok {
		if name := ctor.Get("name"); name != nil && name.String() != "Object" && name.String() != "" {
			prefix = name.String() + " "
		}
	}
	keys := obj.Keys()
	if len(keys) == 0 {
		in.WriteString(prefix + "{}")
		return
	}
	if depth > inspectDepth {
		if prefix == "" {
			in.WriteString("[Object]")
		} else {
			in.WriteString("[" + strings.TrimSpace(prefix) + "]")
		}
		return
	}
	in.WriteString(prefix + "{ ")
	for i, k := range keys {
		if i > 0 {
			in.WriteString(", ")
		}
		if i >= maxInspectItems {
			in.WriteString("... " + moreItems(int64(len(keys)-i)))
			break
		}
		if isIdentifier(k) {
			in.WriteString(k)
		} else {
			in.quote(k)
		}
		in.WriteString(": ")
		if kind := in.r.accessorKind(obj, k); kind != "" {
			in.WriteString(kind)
		} else {
			in.value(obj.Get(k), depth+1)
		}
		if in.full() {
			return
		}
	}
	in.WriteString(" }")
}

// moreItems tells how many items were left out, as Node does.
func moreItems(n int64) string {
	if n == 1 {
		return "1 more item"
	}
	return strconv.FormatInt(n, 10) + " more items"
}

func isIdentifier(s string) bool {
	if s == "" {
		return false
	}
	for i, c := range s {
		switch {
		case c == '_' || c == '$' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z':
		case i > 0 && c >= '0' && c <= '9':
		default:
			return false
		}
	}
	return true
}
