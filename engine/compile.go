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

// program is a compiled hook script, or the reason it does not compile.
// prog and err are set once ready is closed.
type program struct {
	hookID  string // the hook that compiled it first, for Forget
	trigger triggers.ID
	file    string
	script  string
	ready   chan struct{}
	prog    *goja.Program
	err     *CompileError
}

// compile wraps and compiles p's script for trigger t.
func (p *program) compile(t *triggers.Trigger) {
	defer func() {
		// The parser and compiler must never take the host down: a panic in
		// them is reported as a script that does not compile.
		if r := recover(); r != nil {
			p.prog, p.err = nil, &CompileError{Message: fmt.Sprintf("the compiler failed on this script: %v", r), Line: 1, Column: 1}
		}
	}()
	file, script := p.file, p.script
	if p.err = checkSource(script); p.err != nil {
		return
	}
	header := wrapperHeader(t)
	src := header + script + wrapperFooter
	ast, err := parser.ParseFile(nil, file, src, 0)
	if err != nil {
		p.err = parseError(err, len(header))
		pastEnd(p.err, script)
		return
	}
	prog, err := goja.CompileAST(ast, false)
	if err != nil {
		var ce *goja.CompilerSyntaxError
		p.err = &CompileError{Message: err.Error(), Line: 1, Column: 1}
		if errors.As(err, &ce) {
			p.err.Message = ce.Message
			if ce.File != nil {
				pos := ce.File.Position(ce.Offset)
				p.err.Line, p.err.Column = pos.Line, pos.Column
				if pos.Line == 1 {
					p.err.Column = max(pos.Column-len(header), 1)
				}
			}
		}
		return
	}
	p.prog = prog
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

func (c *programCache) key(t triggers.ID, file, script string) uint64 {
	var h maphash.Hash
	h.SetSeed(c.seed)
	h.WriteString(string(t))
	h.WriteByte(0)
	h.WriteString(file)
	h.WriteByte(0)
	h.WriteString(script)
	return h.Sum64()
}

func (p *program) is(t triggers.ID, file, script string) bool {
	return p.trigger == t && p.file == file && p.script == script
}

// get returns the compiled script, compiling it on a miss; concurrent misses
// of one script wait for a single compilation. A warm hit hashes the script
// and compares it with the cached copy; it parses nothing.
//
// The compiler evaluates constant expressions, and goja cannot interrupt
// that, so compilation runs on a goroutine of its own and get waits for it
// at most wait: past that it returns a program whose error says so, and the
// compilation goes on; later gets find its result once it has one.
func (c *programCache) get(t *triggers.Trigger, hookID, file, script string, compiles *atomic.Int64, wait time.Duration) *program {
	k := c.key(t.ID, file, script)
	c.mu.Lock()
	var p *program
	for _, e := range c.index[k] {
		if q := e.Value.(*program); q.is(t.ID, file, script) {
			c.ll.MoveToFront(e)
			p = q
			break
		}
	}
	if p == nil {
		p = &program{hookID: hookID, trigger: t.ID, file: file, script: script, ready: make(chan struct{})}
		c.index[k] = append(c.index[k], c.ll.PushFront(p))
		for c.ll.Len() > c.max {
			c.remove(c.ll.Back())
		}
		compiles.Add(1)
		go func() {
			defer close(p.ready)
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
		return &program{trigger: t.ID, file: file, script: script,
			err: &CompileError{Message: fmt.Sprintf("compiling the script took longer than %v", wait), Line: 1, Column: 1}}
	}
}

func (c *programCache) remove(e *list.Element) {
	p := c.ll.Remove(e).(*program)
	k := c.key(p.trigger, p.file, p.script)
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
