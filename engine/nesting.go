package engine

import "fmt"

// Bounds on what the compiler accepts. goja's parser and compiler recurse
// once per level of nesting, about 2.7 KB of Go stack per level at worst, and
// a Go stack overflow ends the whole process: these bounds keep a hostile
// script far from it.
const (
	// MaxScriptSize bounds a hook script's source, in bytes. Even a script
	// that defeats the nesting check below cannot nest deeper than its size,
	// which keeps the parser's stack in the hundreds of megabytes at worst.
	MaxScriptSize = 128 << 10
	// MaxSourceNesting bounds how deeply a script nests brackets, template
	// substitutions and chains of operators that the parser handles
	// recursively (unary operators, assignments, conditionals, arrows).
	MaxSourceNesting = 1000
)

// checkSource refuses sources the compiler should not be given, with a
// CompileError at the place where the bound was crossed.
func checkSource(src string) *CompileError {
	if len(src) > MaxScriptSize {
		return &CompileError{Message: fmt.Sprintf("script too large: %d bytes, at most %d", len(src), MaxScriptSize), Line: 1, Column: 1}
	}
	s := nestingScanner{src: src, line: 1, col: 1}
	if s.scan() {
		return nil
	}
	return &CompileError{Message: fmt.Sprintf("script nested too deeply (more than %d levels)", MaxSourceNesting), Line: s.line, Column: s.col}
}

// nestingScanner estimates how deeply the parser will recurse: brackets and
// template substitutions open levels, and within one level, operators the
// parser handles recursively add to it until a comma or semicolon. It skips
// strings, comments, template text and regular expression literals, telling
// the latter from divisions by the token before them.
type nestingScanner struct {
	src       string
	i         int
	line, col int
	frames    []frame // open brackets and template substitutions
	chain     int     // recursion units in the innermost frame
	chains    int     // recursion units in the enclosing frames
	prev      byte    // last significant character in code, 0 at the start
	prevWord  string  // last identifier or keyword in code
}

type frame struct {
	template bool // a ${ substitution: its } resumes the template text
	chain    int  // the chain of the enclosing frame, restored on close
}

// keywordsBeforeRegexp are the words after which a slash starts a regular
// expression rather than a division.
var keywordsBeforeRegexp = map[string]bool{
	"return": true, "typeof": true, "instanceof": true, "in": true, "of": true, "new": true, "delete": true,
	"void": true, "throw": true, "case": true, "do": true, "else": true, "yield": true, "await": true,
}

// recursiveWords are keywords the parser handles as nested unary operators.
var recursiveWords = map[string]bool{"new": true, "typeof": true, "void": true, "delete": true, "await": true, "yield": true}

func (s *nestingScanner) level() int { return len(s.frames) + s.chains + s.chain }

func (s *nestingScanner) advance() {
	if s.src[s.i] == '\n' {
		s.line, s.col = s.line+1, 1
	} else {
		s.col++
	}
	s.i++
}

// scan reports whether the source stays within MaxSourceNesting; when it
// does not, line and col are where it went over.
func (s *nestingScanner) scan() bool {
	for s.i < len(s.src) {
		c := s.src[s.i]
		switch {
		case c == '/' && s.peek(1) == '/':
			s.skipUntil("\n")
		case c == '/' && s.peek(1) == '*':
			s.skipUntil("*/")
		case c == '\'' || c == '"':
			s.skipString(c)
			s.prev = 'a'
		case c == '`':
			s.advance()
			if !s.templateText() {
				return false
			}
		case c == '/' && s.regexpAllowed():
			s.skipRegexp()
			s.prev = 'a'
		case c == '(' || c == '[' || c == '{':
			s.frames = append(s.frames, frame{chain: s.chain})
			s.chains += s.chain
			s.chain = 0
			s.prev = c
			s.advance()
		case c == ')' || c == ']' || c == '}':
			s.prev = c
			s.advance()
			if n := len(s.frames); n > 0 {
				f := s.frames[n-1]
				s.frames = s.frames[:n-1]
				s.chain = f.chain
				s.chains -= f.chain
				if f.template && c == '}' && !s.templateText() {
					return false
				}
			}
		case c == ',' || c == ';':
			s.chain = 0
			s.prev = c
			s.advance()
		case isWordByte(c):
			start := s.i
			for s.i < len(s.src) && isWordByte(s.src[s.i]) {
				s.advance()
			}
			s.prevWord = s.src[start:s.i]
			s.prev = 'a'
			if recursiveWords[s.prevWord] {
				s.chain++
				if s.level() > MaxSourceNesting {
					return false
				}
			}
			continue
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			s.advance()
			continue
		default:
			// Operators: each character of a run of unary-capable ones may
			// nest, any other run counts once.
			if c == '!' || c == '~' || c == '+' || c == '-' || s.prev != c {
				s.chain++
			}
			s.prev = c
			s.advance()
		}
		s.prevWord = ""
		if s.level() > MaxSourceNesting {
			return false
		}
	}
	return true
}

func (s *nestingScanner) peek(k int) byte {
	if s.i+k < len(s.src) {
		return s.src[s.i+k]
	}
	return 0
}

func isWordByte(c byte) bool {
	return c == '_' || c == '$' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c >= 0x80 || c == '.'
}

// regexpAllowed tells a regular expression from a division by what came
// before the slash.
func (s *nestingScanner) regexpAllowed() bool {
	switch s.prev {
	case 0, '(', ',', '=', ':', '[', '!', '&', '|', '?', '{', '}', ';', '+', '-', '*', '%', '<', '>', '~', '^':
		return true
	case 'a':
		return keywordsBeforeRegexp[s.prevWord]
	}
	return false
}

func (s *nestingScanner) skipUntil(end string) {
	for s.i < len(s.src) {
		if len(s.src)-s.i >= len(end) && s.src[s.i:s.i+len(end)] == end {
			for range end {
				s.advance()
			}
			return
		}
		s.advance()
	}
}

func (s *nestingScanner) skipString(quote byte) {
	s.advance()
	for s.i < len(s.src) {
		switch s.src[s.i] {
		case '\\':
			s.advance()
		case quote, '\n':
			s.advance()
			return
		}
		if s.i < len(s.src) {
			s.advance()
		}
	}
}

func (s *nestingScanner) skipRegexp() {
	s.advance()
	inClass := false
	for s.i < len(s.src) {
		switch s.src[s.i] {
		case '\\':
			s.advance()
		case '[':
			inClass = true
		case ']':
			inClass = false
		case '\n':
			return
		case '/':
			if !inClass {
				s.advance()
				for s.i < len(s.src) && isWordByte(s.src[s.i]) {
					s.advance()
				}
				return
			}
		}
		if s.i < len(s.src) {
			s.advance()
		}
	}
}

// templateText skips template text up to the closing backquote, or opens a
// frame at a ${ substitution. It reports false when that frame goes over
// the bound.
func (s *nestingScanner) templateText() bool {
	for s.i < len(s.src) {
		switch c := s.src[s.i]; {
		case c == '\\':
			s.advance()
		case c == '`':
			s.advance()
			s.prev = 'a'
			return true
		case c == '$' && s.peek(1) == '{':
			s.advance()
			s.advance()
			s.frames = append(s.frames, frame{template: true, chain: s.chain})
			s.chains += s.chain
			s.chain = 0
			s.prev = '{'
			return s.level() <= MaxSourceNesting
		}
		if s.i < len(s.src) {
			s.advance()
		}
	}
	return true
}
