package main

import (
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fixtureModules is testdata/modules, a directory holding node_modules.
func fixtureModules() string { return fixture("modules") }

func TestRunModules(t *testing.T) {
	t.Parallel()
	greet := writeScript(t, "greet.js", `const { greet } = require('greet@^1.2');
const { shout } = require('@acme/strings');
module.exports = function (user, context, cb) {
  cb(null, { user: { user_metadata: { hello: shout(greet(user.username)) } } });
};`)
	tests := []struct {
		name  string
		args  []string
		code  int
		check func(t *testing.T, r *result)
	}{{
		name: "the project directory",
		args: []string{"run", "--trigger", "pre-user-registration", "--modules", fixtureModules(), greet},
		code: exitOK,
		check: func(t *testing.T, r *result) {
			if got := lookup(r.data(t), "user", "user_metadata", "hello"); got != "HELLO, ADA!!" {
				t.Errorf("hello = %v", got)
			}
		},
	}, {
		name: "the node_modules directory itself",
		args: []string{"run", "--trigger", "pre-user-registration", greet, "--modules", filepath.Join(fixtureModules(), "node_modules")},
		code: exitOK,
	}, {
		name: "without --modules",
		args: []string{"run", "--trigger", "pre-user-registration", greet},
		code: exitFailure,
		check: func(t *testing.T, r *result) {
			if msg, _ := r.data(t)["message"].(string); msg != "Cannot find module 'greet@^1.2'" {
				t.Errorf("message = %q", msg)
			}
		},
	}, {
		name: "a pin the installed version does not match",
		args: []string{"run", "--trigger", "pre-user-registration", "--modules", fixtureModules(),
			writeScript(t, "pin.js", `require('greet@2.0.0'); module.exports = (u, c, cb) => cb();`)},
		code: exitFailure,
		check: func(t *testing.T, r *result) {
			d := r.data(t)
			if d["code"] != "ERR_DEPENDENCY_VERSION" || d["message"] != "Cannot load 'greet@2.0.0': version 1.2.3 of greet is installed, not 2.0.0" {
				t.Errorf("data = %v", d)
			}
		},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			code, stdout, stderr := hooks(inputFile(t, "pre-user-registration"), tt.args...)
			if code != tt.code {
				t.Fatalf("exit %d, want %d\nstdout %s\nstderr %s", code, tt.code, stdout, stderr)
			}
			if tt.check != nil {
				tt.check(t, parseResult(t, stdout))
			}
		})
	}
}

func TestRunModulesBuiltIn(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"tier":"gold"}`)
	}))
	defer srv.Close()
	script := writeScript(t, "axios.js", `const axios = require('axios');
module.exports = async function (user, context, cb) {
  const { data } = await axios.get(context.webtask.secrets.API + '/tier');
  cb(null, { user: { app_metadata: { tier: data.tier } } });
};`)
	code, stdout, stderr := hooks(inputFile(t, "pre-user-registration"),
		"run", "--trigger", "pre-user-registration", "--allow-host", "127.0.0.1", "--secret", "API="+srv.URL, script)
	if code != exitOK {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	if got := lookup(parseResult(t, stdout).data(t), "user", "app_metadata", "tier"); got != "gold" {
		t.Errorf("tier = %v", got)
	}
}

func TestRunModulesUsageErrors(t *testing.T) {
	t.Parallel()
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	script := hookFile("pre-user-registration", "metadata")
	for _, dir := range []string{filepath.Join(t.TempDir(), "missing"), file} {
		code, stdout, stderr := hooks(inputFile(t, "pre-user-registration"), "run", "--trigger", "pre-user-registration", "--modules", dir, script)
		if code != exitUsage || stdout != "" || !strings.Contains(stderr, "--modules") {
			t.Errorf("--modules %s: exit %d, stdout %q, stderr %q", dir, code, stdout, stderr)
		}
	}
}
