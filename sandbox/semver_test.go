package sandbox_test

import (
	"testing"

	"github.com/hookengine/hookengine/sandbox"
)

func TestVersionMatches(t *testing.T) {
	tests := []struct {
		version, spec string
		want          bool
	}{
		{"1.9.0", "1.9.0", true},
		{"1.9.1", "1.9.0", false},
		{"1.9.0", "=1.9.0", true},
		{"1.9.0", "v1.9.0", true},
		{"4.17.21", "4", true},
		{"5.0.0", "4", false},
		{"4.17.21", "4.17", true},
		{"4.18.0", "4.17", false},
		{"4.17.21", "4.x", true},
		{"4.17.21", "4.17.x", true},
		{"4.17.21", "*", true},
		{"4.17.21", "", true},
		{"4.17.21", "latest", true},
		{"1.2.3", "^1.2.3", true},
		{"1.9.9", "^1.2.3", true},
		{"2.0.0", "^1.2.3", false},
		{"1.2.2", "^1.2.3", false},
		{"0.2.5", "^0.2.3", true},
		{"0.3.0", "^0.2.3", false},
		{"0.0.3", "^0.0.3", true},
		{"0.0.4", "^0.0.3", false},
		{"0.1.9", "^0.1", true},
		{"0.2.0", "^0", true},
		{"1.0.0", "^0", false},
		{"1.2.9", "~1.2.3", true},
		{"1.3.0", "~1.2.3", false},
		{"1.9.0", "~1", true},
		{"2.0.0", ">=1.2.0 <2", false},
		{"1.5.0", ">=1.2.0 <2", true},
		{"1.5.0", ">= 1.2.0 < 2", true},
		{"2.0.0", ">1", true},
		{"1.9.0", ">1", false},
		{"1.3.0", ">1.2", true},
		{"1.2.9", ">1.2", false},
		{"1.2.9", "<=1.2", true},
		{"1.3.0", "<=1.2", false},
		{"1.1.9", "<1.2", true},
		{"1.2.0", "<1.2", false},
		{"1.0.0", "1.x || 3.x", true},
		{"2.0.0", "1.x || 3.x", false},
		{"3.1.0", "1.x || 3.x", true},
		{"1.5.0", "1.2 - 2.3.4", true},
		{"2.3.4", "1.2 - 2.3.4", true},
		{"2.3.5", "1.2 - 2.3.4", false},
		{"2.9.0", "1.2.3 - 2", true},
		{"3.0.0", "1.2.3 - 2", false},
		{"1.2.4-beta.1", "^1.2.3", false}, // pre-releases only match ranges that name one
		{"1.2.4-beta.2", ">=1.2.4-beta.1 <2", true},
		{"1.2.4-beta.1", "1.2.4-beta.1", true},
		{"1.2.4", "1.2.4-beta.1", false},
		{"1.0.0-alpha.10", ">1.0.0-alpha.2", true},
		{"1.0.0-alpha", ">1.0.0-alpha.1", false},
		{"1.0.0-rc.1+build.5", "1.0.0-rc.1", true},
		{"3.0.0-beta", "<3.0.0", false},
	}
	for _, tt := range tests {
		got, err := sandbox.VersionMatches(tt.version, tt.spec)
		if err != nil {
			t.Errorf("VersionMatches(%q, %q): error %v", tt.version, tt.spec, err)
			continue
		}
		if got != tt.want {
			t.Errorf("VersionMatches(%q, %q) = %v, want %v", tt.version, tt.spec, got, tt.want)
		}
	}
}

func TestVersionMatchesErrors(t *testing.T) {
	for _, tt := range []struct{ version, spec string }{
		{"1.2", "1.2.0"},
		{"x", "1"},
		{"1.2.3", "github:user/repo"},
		{"1.2.3", "^1.2.3.4"},
		{"1.2.3", "01.2.3"},
		{"1.2.3", ">=a"},
	} {
		if _, err := sandbox.VersionMatches(tt.version, tt.spec); err == nil {
			t.Errorf("VersionMatches(%q, %q): no error", tt.version, tt.spec)
		}
	}
}
