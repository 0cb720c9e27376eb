package main

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const deployFixtures = "../../testdata/deploycli"

// TestImportExportLocal imports the hand-written fixtures into a local
// database, exports it in both formats and imports the exports back.
func TestImportExportLocal(t *testing.T) {
	t.Setenv("HOOKENGINE_SECRETS_KEY", "")
	data := t.TempDir()
	local := []string{"--dev", "--data", data}
	imp := func(args ...string) (int, string, string) {
		return hooks("", append(append([]string{"import"}, local...), args...)...)
	}

	// A dry run writes nothing.
	code, out, errOut := imp("--dry-run", "--mappings", filepath.Join(deployFixtures, "directory", "config.json"), filepath.Join(deployFixtures, "directory"))
	if code != 0 || strings.Count(out, "create ") != 3 || !strings.Contains(out, "dry run: nothing written") {
		t.Fatalf("dry run: %d\n%s%s", code, out, errOut)
	}
	code, out, _ = hooks("", append([]string{"export"}, append(local, filepath.Join(t.TempDir(), "empty"))...)...)
	if code != 0 || !strings.Contains(out, "exported 0 hooks") {
		t.Errorf("export after a dry run: %d %s", code, out)
	}

	code, out, errOut = imp("--mappings", filepath.Join(deployFixtures, "directory", "config.json"), filepath.Join(deployFixtures, "directory"))
	if code != 0 || !strings.Contains(out, "create  credentials-exchange   cce-hook: enabled; add secrets api-key") ||
		!strings.Contains(out, "3 created, 0 updated, 0 deleted") {
		t.Fatalf("import directory: %d\n%s%s", code, out, errOut)
	}
	// Keywords from flags; flags after PATH.
	code, out, errOut = imp(filepath.Join(deployFixtures, "yaml", "tenant.yaml"), "--keyword", "MAIL_TOKEN=mt-1")
	if code != 0 || strings.Count(out, "create ") != 3 || !strings.Contains(out, "keep    ") {
		t.Fatalf("import yaml: %d\n%s%s", code, out, errOut)
	}
	if !strings.Contains(errOut, "enabling client-credentials-exchange disables cce-hook") {
		t.Errorf("no warning about the disabled hook:\n%s", errOut)
	}

	for _, dest := range []string{filepath.Join(t.TempDir(), "tenant"), filepath.Join(t.TempDir(), "tenant.yaml")} {
		code, out, errOut = hooks("", append([]string{"export"}, append(local, dest)...)...)
		if code != 0 || !strings.Contains(out, "exported 6 hooks") {
			t.Fatalf("export %s: %d\n%s%s", dest, code, out, errOut)
		}
		code, out, errOut = imp(dest)
		if code != 0 || strings.Count(out, "keep ") != 6 || !strings.Contains(out, "0 created, 0 updated, 0 deleted") {
			t.Errorf("import of the export %s: %d\n%s%s", dest, code, out, errOut)
		}
	}
	// --allow-delete with only the YAML hooks deletes the others.
	code, out, errOut = imp("--allow-delete", "--keyword", "MAIL_TOKEN=mt-1", filepath.Join(deployFixtures, "yaml", "tenant.yaml"))
	if code != 0 || strings.Count(out, "delete ") != 3 {
		t.Errorf("import --allow-delete: %d\n%s%s", code, out, errOut)
	}
}

func TestImportRefusesBadFiles(t *testing.T) {
	t.Setenv("HOOKENGINE_SECRETS_KEY", "")
	data := t.TempDir()
	code, out, errOut := hooks("", "import", "--dev", "--data", data, filepath.Join(deployFixtures, "invalid"))
	if code != exitFailure || !strings.Contains(errOut, "nothing was written: 6 problem(s)") || out != "" {
		t.Errorf("invalid fixtures: %d\n%s%s", code, out, errOut)
	}
	// A script that does not compile is refused, unless asked not to.
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "hooks"), 0o755)
	os.WriteFile(filepath.Join(dir, "hooks", "broken.json"), []byte(`{"name":"broken","triggerId":"post-change-password","script":"./broken.js"}`), 0o644)
	os.WriteFile(filepath.Join(dir, "hooks", "broken.js"), []byte("module.exports = function (user, context, cb) {\n  cb(;\n};\n"), 0o644)
	code, _, errOut = hooks("", "import", "--dev", "--data", data, dir)
	if code != exitFailure || !strings.Contains(errOut, "does not compile") || !strings.Contains(errOut, "line 2") {
		t.Errorf("broken script: %d\n%s", code, errOut)
	}
	code, out, errOut = hooks("", "import", "--dev", "--data", data, "--no-compile-check", dir)
	if code != 0 || !strings.Contains(out, "1 created") {
		t.Errorf("--no-compile-check: %d\n%s%s", code, out, errOut)
	}
	// Without a key or --dev, the local database is not opened.
	code, _, errOut = hooks("", "export", "--data", data, filepath.Join(t.TempDir(), "out"))
	if code != exitFailure || !strings.Contains(errOut, "no secrets key") {
		t.Errorf("without a key: %d\n%s", code, errOut)
	}
}

func TestDeployUsageErrors(t *testing.T) {
	t.Setenv("HOOKENGINE_TOKEN", "")
	for _, args := range [][]string{
		{"import"},
		{"import", "a", "b"},
		{"import", "--server", "http://127.0.0.1:1", "--data", "x", "p"},
		{"import", "--server", "http://127.0.0.1:1", "p"},
		{"import", "--token", "t", "p"},
		{"import", "--frobnicate", "p"},
		{"import", "--keyword", "novalue", "p"},
		{"import", "--mappings", "/nonexistent/m.json", "p"},
		{"export"},
		{"export", "--format", "xml", "p"},
		{"serve", "extra"},
		{"serve", "--port", "1"},
		{"serve", "--config", "/nonexistent/c.yaml"},
	} {
		code, out, errOut := hooks("", args...)
		if code != exitUsage || out != "" || !strings.HasPrefix(errOut, "hooks: ") || strings.Count(errOut, "\n") != 1 {
			t.Errorf("hooks %s: %d stdout %q stderr %q; want 2 and one line", strings.Join(args, " "), code, out, errOut)
		}
	}
}

// TestDeployUsage checks that serve, import and export document every flag
// with its default, their exit statuses, and fit 80 columns.
func TestDeployUsage(t *testing.T) {
	for _, c := range []struct {
		cmd   *command
		flags *flag.FlagSet
	}{
		{serveCommand, newServeFlags(&serveOptions{})},
		{importCommand, newImportFlags(&importOptions{})},
		{exportCommand, newExportFlags(&exportOptions{})},
	} {
		var b strings.Builder
		c.cmd.usage(&b)
		text := b.String()
		if !strings.HasPrefix(text, "Usage: hooks "+c.cmd.name+" ") {
			t.Errorf("%s: usage starts %q", c.cmd.name, text[:20])
		}
		c.flags.VisitAll(func(f *flag.Flag) {
			if !strings.Contains(text, "--"+f.Name+" ") {
				t.Errorf("%s: usage does not document --%s", c.cmd.name, f.Name)
			}
		})
		for _, w := range []string{"(default", "Exit status", "  0  ", "  1  ", "  2  ", "Example"} {
			if !strings.Contains(text, w) {
				t.Errorf("%s: usage lacks %q", c.cmd.name, w)
			}
		}
		for _, line := range strings.Split(text, "\n") {
			if len([]rune(line)) > 80 {
				t.Errorf("%s: usage line longer than 80 columns: %q", c.cmd.name, line)
			}
		}
		for _, args := range [][]string{{c.cmd.name, "--help"}, {"help", c.cmd.name}} {
			code, out, errOut := hooks("", args...)
			if code != 0 || out != text || errOut != "" {
				t.Errorf("hooks %s: %d, stderr %q", strings.Join(args, " "), code, errOut)
			}
		}
	}
}
