package engine

import (
	"container/list"
	"errors"
	"fmt"
	"hash/maphash"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/dop251/goja"
	"github.com/dop251/goja/ast"
	"github.com/dop251/goja/parser"

	"github.com/hookengine/hookengine/triggers"
)

// defaultScriptName is the file name in stack traces of a hook without a
// name.
const defaultScriptName = "hook.js"

// scriptName is the file name of a hook's script in stack traces and error
// positions: the hook's name, made safe for a file name, plus ".js".
func scriptName(hookName string) string {
	if hookName == "" {
		return defaultScriptName
	}
	name := []byte(strings.TrimSuffix(hookName, ".js"))
	for i, c := range name {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.') {
			name[i] = '-'
		}
	}
	return string(name) + ".js"
}

// wrapperHeader opens the function every script is compiled into, like
// Node's module wrapper. The error classes are parameters, so they are
// bindings of the script's top-level scope, as on Auth0 where they were
// declared at the top of the script text. The header stays on the script's
// first line so line numbers are those of the script.
func wrapperHeader(t *triggers.Trigger) string {
	return "(function (module, exports, require, " + strings.Join(t.ErrorClasses, ", ") + ") {"
}

const wrapperFooter = "\n})"

// ruleHeader opens the function a bare-function script (FormRule) is
// compiled into: the script is the expression the wrapper returns.
func ruleHeader(t *triggers.Trigger) string {
	return wrapperHeader(t) + " return ("
}

const ruleFooter = "\n)})"

// bareFunction reports whether script starts, after white space and
// comments, with a function expression (`function` or `async function`,
// the keyword whole): a candidate for FormRule. It reads only the start of
// the script, where the regexp it replaces read on through every comment
// line at a cost that showed in every first run.
func bareFunction(script string) bool {
	s := script
	for {
		s = strings.TrimLeft(s, jsSpace)
		if rest, ok := strings.CutPrefix(s, "//"); ok {
			if i := strings.IndexByte(rest, '\n'); i >= 0 {
				s = rest[i:]
				continue
			}
			return false
		}
		if rest, ok := strings.CutPrefix(s, "/*"); ok {
			i := strings.Index(rest, "*/")
			if i < 0 {
				return false
			}
			s = rest[i+2:]
			continue
		}
		break
	}
	if rest, ok := strings.CutPrefix(s, "async"); ok && rest != "" && strings.IndexByte(jsSpace, rest[0]) >= 0 {
		if after := strings.TrimLeft(rest, jsSpace); keywordAt(after, "function") {
			return true
		}
	}
	return keywordAt(s, "function")
}

// jsSpace is the white space bareFunction skips: regexp's \s.
const jsSpace = "\t\n\f\r "

// keywordAt reports whether s starts with word followed by a word
// boundary: the end, or a byte that is not an ASCII letter, digit or _.
func keywordAt(s, word string) bool {
	rest, ok := strings.CutPrefix(s, word)
	if !ok {
		return false
	}
	if rest == "" {
		return true
	}
	c := rest[0]
	return !(c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z')
}

// program is a compiled hook script, or the reason it does not compile.
// prog, err and form are set once ready is closed.
type program struct {
	hookID  string // the hook that compiled it first, for Forget
	trigger triggers.ID
	file    string
	script  string
	want    triggers.Form // the form the hook asked for
	ready   chan struct{}
	prog    *goja.Program
	err     *CompileError
	// form is FormRule when the script is a bare function, whose wrapper
	// returns it; else the form the hook asked for (FormDetect: decided
	// when the module has run).
	form triggers.Form
}

// compile wraps and compiles p's script for trigger t, in the form the
// hook asked for: a bare function as FormRule, anything else as a module.
func (p *program) compile(t *triggers.Trigger) {
	defer func() {
		// The parser and compiler must never take the host down: a panic in
		// them is reported as a script that does not compile.
		if r := recover(); r != nil {
			p.prog, p.err = nil, &CompileError{Message: fmt.Sprintf("the compiler failed on this script: %v", r), Line: 1, Column: 1}
		}
	}()
	if p.err = checkSource(p.script); p.err != nil {
		return
	}
	p.form = p.want
	switch {
	case p.want == triggers.FormRule:
		p.prog, p.err = compileRule(t, p.file, p.script)
	case p.want == triggers.FormDetect && bareFunction(p.script):
		prog, rerr := compileRule(t, p.file, p.script)
		if rerr == nil || rerr.arity {
			p.prog, p.err, p.form = prog, rerr, triggers.FormRule
			return
		}
		p.prog, p.err = compileModule(t, p.file, p.script)
		if p.err != nil && after(rerr, p.err) {
			// Neither form compiles; the bare function got further, so
			// its error is the one that says what is wrong.
			p.err = rerr
		}
	default:
		p.prog, p.err = compileModule(t, p.file, p.script)
	}
}

// after reports whether a is further into the script than b.
func after(a, b *CompileError) bool {
	return a.Line > b.Line || a.Line == b.Line && a.Column > b.Column
}

// compileModule compiles a script that sets module.exports (FormHook,
// FormAction).
func compileModule(t *triggers.Trigger, file, script string) (*goja.Program, *CompileError) {
	prog, _, err := compileWrapped(file, wrapperHeader(t), script, wrapperFooter)
	return prog, err
}

// compileRule compiles a bare-function script (FormRule) and checks that the
// function declares the point's parameters.
func compileRule(t *triggers.Trigger, file, script string) (*goja.Program, *CompileError) {
	// A trailing semicolon would end the expression early.
	trimmed := strings.TrimRight(script, " \t\r\n;")
	prog, tree, err := compileWrapped(file, ruleHeader(t), trimmed, ruleFooter)
	if err != nil {
		return nil, err
	}
	fn := ruleFunction(tree)
	if fn == nil {
		return nil, &CompileError{Message: "a script without module.exports must be a single function expression", Line: 1, Column: 1}
	}
	var msg string
	if fn.ParameterList.Rest != nil {
		msg = "a bare function must not take a rest parameter"
	} else if aerr := t.RuleArity(len(fn.ParameterList.List)); aerr != nil {
		msg = aerr.Error()
	}
	if msg != "" {
		pos := tree.File.Position(int(fn.Function) - tree.File.Base())
		ce := &CompileError{Message: msg, Line: pos.Line, Column: pos.Column, arity: true}
		if pos.Line == 1 {
			ce.Column = max(pos.Column-len(ruleHeader(t)), 1)
		}
		return nil, ce
	}
	return prog, nil
}

// ruleFunction returns the function literal a compiled rule wrapper
// returns, or nil when it returns something else.
func ruleFunction(tree *ast.Program) *ast.FunctionLiteral {
	if len(tree.Body) != 1 {
		return nil
	}
	es, ok := tree.Body[0].(*ast.ExpressionStatement)
	if !ok {
		return nil
	}
	wrapper, ok := es.Expression.(*ast.FunctionLiteral)
	if !ok || wrapper.Body == nil || len(wrapper.Body.List) != 1 {
		return nil
	}
	ret, ok := wrapper.Body.List[0].(*ast.ReturnStatement)
	if !ok {
		return nil
	}
	fn, _ := ret.Argument.(*ast.FunctionLiteral)
	return fn
}

// compileWrapped parses and compiles header + script + footer, placing
// errors in the script's own lines and columns.
func compileWrapped(file, header, script, footer string) (*goja.Program, *ast.Program, *CompileError) {
	src := header + script + footer
	tree, err := parser.ParseFile(nil, file, src, 0)
	if err != nil {
		ce := parseError(err, len(header))
		pastEnd(ce, script)
		return nil, nil, ce
	}
	prog, err := goja.CompileAST(tree, false)
	if err != nil {
		var ce *goja.CompilerSyntaxError
		cerr := &CompileError{Message: err.Error(), Line: 1, Column: 1}
		if errors.As(err, &ce) {
			cerr.Message = ce.Message
			if ce.File != nil {
				pos := ce.File.Position(ce.Offset)
				cerr.Line, cerr.Column = pos.Line, pos.Column
				if pos.Line == 1 {
					cerr.Column = max(pos.Column-len(header), 1)
				}
			}
		}
		return nil, nil, cerr
	}
	return prog, tree, nil
}

// pastEnd rewrites an error the parser found in the wrapper's closing line:
// the script itself ended too early.
func pastEnd(ce *CompileError, script string) {
	lines := strings.Count(script, "\n") + 1
	if ce.Line <= lines {
		return
	}
	last := script[strings.LastIndexByte(script, '\n')+1:]
	ce.Message, ce.Line, ce.Column = "Unexpected end of input", lines, len(last)+1
}

func parseError(err error, headerLen int) *CompileError {
	var list parser.ErrorList
	var one *parser.Error
	switch {
	case errors.As(err, &list) && len(list) > 0:
		one = list[0]
	case errors.As(err, &one):
	default:
		return &CompileError{Message: err.Error(), Line: 1, Column: 1}
	}
	ce := &CompileError{Message: one.Message, Line: one.Position.Line, Column: one.Position.Column}
	if ce.Line == 1 {
		ce.Column = max(ce.Column-headerLen, 1)
	}
	return ce
}

// programCache keeps compiled scripts by trigger, file name and content,
// least recently used first out. It is safe for concurrent use.
type programCache struct {
	seed maphash.Seed
	max  int

	mu    sync.Mutex
	ll    list.List // of *program, most recent first
	index map[uint64][]*list.Element
}

func newProgramCache(max int) *programCache {
	return &programCache{seed: maphash.MakeSeed(), max: max, index: make(map[uint64][]*list.Element)}
}

func (c *programCache) key(t triggers.ID, form triggers.Form, file, script string) uint64 {
	var h maphash.Hash
	h.SetSeed(c.seed)
	h.WriteString(string(t))
	h.WriteByte(0)
	h.WriteString(string(form))
	h.WriteByte(0)
	h.WriteString(file)
	h.WriteByte(0)
	h.WriteString(script)
	return h.Sum64()
}

func (p *program) is(t triggers.ID, form triggers.Form, file, script string) bool {
	return p.trigger == t && p.want == form && p.file == file && p.script == script
}

// get returns the compiled script, compiling it on a miss; concurrent misses
// of one script wait for a single compilation. A warm hit hashes the script
// and compares it with the cached copy; it parses nothing.
//
// The compiler evaluates constant expressions, and goja cannot interrupt
// that, so compilation runs on a goroutine of its own and get waits for it
// at most wait: past that it returns a program whose error says so, and the
// compilation goes on; later gets find its result once it has one.
func (c *programCache) get(t *triggers.Trigger, form triggers.Form, hookID, file, script string, compiles *atomic.Int64, wait time.Duration) *program {
	k := c.key(t.ID, form, file, script)
	c.mu.Lock()
	var p *program
	for _, e := range c.index[k] {
		if q := e.Value.(*program); q.is(t.ID, form, file, script) {
			c.ll.MoveToFront(e)
			p = q
			break
		}
	}
	if p == nil {
		if hookID != "" {
			// A new version of the hook: the programs its earlier
			// versions compiled will not run again.
			c.retireLocked(hookID)
		}
		p = &program{hookID: hookID, trigger: t.ID, want: form, file: file, script: script, ready: make(chan struct{})}
		c.index[k] = append(c.index[k], c.ll.PushFront(p))
		for c.ll.Len() > c.max {
			c.remove(c.ll.Back())
		}
		compiles.Add(1)
		go func() {
			defer close(p.ready)
			growStack()
			p.compile(t)
		}()
	}
	c.mu.Unlock()
	select {
	case <-p.ready:
		return p
	default:
	}
	timer := time.NewTimer(wait)
	defer timer.Stop()
	select {
	case <-p.ready:
		return p
	case <-timer.C:
		return &program{trigger: t.ID, want: form, file: file, script: script,
			err: &CompileError{Message: fmt.Sprintf("compiling the script took longer than %v", wait), Line: 1, Column: 1}}
	}
}

func (c *programCache) remove(e *list.Element) {
	p := c.ll.Remove(e).(*program)
	k := c.key(p.trigger, p.want, p.file, p.script)
	es := c.index[k]
	for i, x := range es {
		if x == e {
			es = append(es[:i], es[i+1:]...)
			break
		}
	}
	if len(es) == 0 {
		delete(c.index, k)
	} else {
		c.index[k] = es
	}
}

// forget drops the programs compiled for hook id and reports how many.
func (c *programCache) forget(id string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.retireLocked(id)
}

// retireLocked drops the programs hook id compiled first and returns how
// many. Callers hold mu.
func (c *programCache) retireLocked(id string) int {
	n := 0
	for e := c.ll.Front(); e != nil; {
		next := e.Next()
		if e.Value.(*program).hookID == id {
			c.remove(e)
			n++
		}
		e = next
	}
	return n
}

func (c *programCache) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.ll.Len()
}

// compileStack is the stack growStack gives a compile goroutine: goja's
// parser recurses through some twenty functions per nested expression, so a
// hook's first compile needs tens of KiB of stack.
const compileStack = 64 << 10

// stackSink keeps growStack's frame from being optimised away.
var stackSink atomic.Uint32

// growStack grows the calling goroutine's stack to hold compileStack bytes
// of frames in one step. A new goroutine starts with a few KiB and doubles
// its stack each time the parser outgrows it, and each doubling copies the
// stack and rewrites every frame on it: in a cold run that was a fifth of
// the CPU. Growing it here, while it holds two frames, costs one copy of
// almost nothing and the clearing of the frame (about 2 µs). The stack, 128
// KiB, is freed with the goroutine.
//
//go:noinline
func growStack() byte {
	var pad [compileStack]byte
	return pad[stackSink.Load()%compileStack]
}
