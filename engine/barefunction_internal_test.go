package engine

import (
	"regexp"
	"testing"
)

// bareFunctionRE is the reference bareFunction must agree with: the
// regexp it replaced, with each comment made to end where JavaScript ends
// it. The old one let a line comment stop anywhere in its line and a block
// comment run on to any later "*/", so a "function" inside a leading
// comment made a script a bare-function candidate ("// calls function
// f\n(function ...)" was taken for one, the same script without the
// comment was not).
var bareFunctionRE = regexp.MustCompile(`^\s*(?:(?://[^\n]*\n|/\*(?:[^*]|\*+[^*/])*\*+/)\s*)*(?:async\s+)?function\b`)

var bareFunctionCases = []struct {
	script string
	want   bool
}{
	{"function (user, context, cb) {}", true},
	{"  \n\tfunction(a){}", true},
	{"async function (a) {}", true},
	{"async\n\tfunction (a) {}", true},
	{"// a comment\nfunction (a) {}", true},
	{"/* a\nblock */ function (a) {}", true},
	{"/**/function", true},
	{"// one\n// two\n\n/* three */\nasync function x() {}", true},
	{"function", true},
	{"function\u00e9", true},
	{"module.exports = function (a) {}", false},
	{"functional()", false},
	{"function_", false},
	{"function1", false},
	{"asyncfunction (a) {}", false},
	{"async () => {}", false},
	{"async function", true},
	{"// only a comment", false},
	{"// comment function\n", false},
	{"/* unclosed function", false},
	{"/* a */ /* b */ function", true},
	{"/* a */ b */ function", false},
	{"/* a **/function", true},
	{"/***/ function", true},
	{"\f\rfunction", true},
	{"\vfunction", false}, // \v is not in regexp's \s
	{"", false},
	{"/", false},
	{"/ function", false},
}

func TestBareFunction(t *testing.T) {
	for _, tt := range bareFunctionCases {
		if got := bareFunction(tt.script); got != tt.want {
			t.Errorf("bareFunction(%q) = %v, want %v", tt.script, got, tt.want)
		}
		if ref := bareFunctionRE.MatchString(tt.script); ref != tt.want {
			t.Errorf("the reference regexp says %v for %q, the table %v", ref, tt.script, tt.want)
		}
	}
}

// FuzzBareFunction checks bareFunction against the regexp it replaced.
func FuzzBareFunction(f *testing.F) {
	for _, tt := range bareFunctionCases {
		f.Add(tt.script)
	}
	f.Fuzz(func(t *testing.T, script string) {
		if got, want := bareFunction(script), bareFunctionRE.MatchString(script); got != want {
			t.Errorf("bareFunction(%q) = %v, the regexp says %v", script, got, want)
		}
	})
}
