package engine

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCheckSource(t *testing.T) {
	deep := func(open, close string, n int) string {
		return strings.Repeat(open, n) + "1" + strings.Repeat(close, n)
	}
	tests := []struct {
		desc string
		src  string
		ok   bool
	}{
		{"parens at the bound", deep("(", ")", MaxSourceNesting), true},
		{"parens past the bound", deep("(", ")", MaxSourceNesting+1), false},
		{"unclosed brackets", strings.Repeat("[", 5000), false},
		{"braces", "x = " + deep("{a:", "}", 2000), false},
		{"template substitutions", "x = " + deep("`${", "}`", 2000), false},
		{"unary chain", "x = " + strings.Repeat("!", 2000) + "1", false},
		{"negation chain", "x = " + strings.Repeat("- ", 2000) + "1", false},
		{"typeof chain", "x = " + strings.Repeat("typeof ", 2000) + "1", false},
		{"assignment chain", "var a; " + strings.Repeat("a = ", 2000) + "1", false},
		{"arrow chain", "x = " + strings.Repeat("() => ", 2000) + "1", false},
		{"conditional chain", "x = " + strings.Repeat("a ? b : ", 2000) + "c", false},
		{"long flat expression", "x = " + strings.Repeat("a + ", 500) + "1", true},
		{"many statements", strings.Repeat("f(a, b); x = y + 1;\n", 5000), true},
		{"long var list", "var " + strings.Repeat("a = 1, ", 5000) + "b = 2;", true},
		{"brackets in strings", `x = "` + strings.Repeat("(", 5000) + `" + '` + strings.Repeat("[", 5000) + `';`, true},
		{"brackets in comments", "// " + strings.Repeat("(", 5000) + "\n/* " + strings.Repeat("{", 5000) + " */ x = 1;", true},
		{"brackets in a regexp", "x = /" + strings.Repeat("\\(", 3000) + "[(/]/g.test(s);", true},
		{"brackets in template text", "x = `" + strings.Repeat("(", 5000) + "${a}" + strings.Repeat("[", 5000) + "`;", true},
		{"divisions", strings.Repeat("x = (a) / (b) / c;\n", 3000), true},
		{"too large", strings.Repeat(" ", MaxScriptSize+1), false},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			err := checkSource(tt.src)
			if (err == nil) != tt.ok {
				t.Errorf("checkSource = %v, want ok=%v", err, tt.ok)
			}
		})
	}
}

// Every hook fixture passes the check.
func TestCheckSourceFixtures(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join("..", "testdata", "hooks", "*", "*.js"))
	if len(files) < 20 {
		t.Fatalf("found only %d fixtures", len(files))
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if err := checkSource(string(b)); err != nil {
			t.Errorf("%s: %v", f, err)
		}
	}
}

func TestCheckSourcePosition(t *testing.T) {
	src := "module.exports = function () {\n  x = " + strings.Repeat("(", MaxSourceNesting+10) + "1;\n};"
	err := checkSource(src)
	if err == nil || err.Line != 2 || err.Column < 1000 {
		t.Errorf("error = %+v, want it on line 2 near column 1000", err)
	}
}
