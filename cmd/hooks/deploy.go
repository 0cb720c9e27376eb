package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"github.com/hookengine/hookengine/deploycli"
	"github.com/hookengine/hookengine/engine"
	"github.com/hookengine/hookengine/mgmtapi"
	"github.com/hookengine/hookengine/server"
)

// This file has what import and export share: the choice of a local
// database or a server, and argument parsing.

// targetFlags choose where hooks are imported to or exported from.
type targetFlags struct {
	storeFlags
	server string
	token  string
}

func (t *targetFlags) define(fs *flag.FlagSet) {
	t.storeFlags.define(fs)
	fs.StringVar(&t.server, "server", "", "URL of a hookengine server")
	fs.StringVar(&t.token, "token", "", "API token for --server")
}

// check reports flag combinations that make no sense.
func (t *targetFlags) check() error {
	if t.server != "" && (t.data != "" || t.dev || t.config != "" || t.store != "") {
		return errors.New("--server works on a server: --data, --store, --dev and --config are for the local database")
	}
	if t.server == "" && t.token != "" {
		return errors.New("--token goes with --server")
	}
	if t.server != "" && t.token == "" && os.Getenv(server.EnvToken) == "" {
		return fmt.Errorf("--server needs a token: --token TOKEN or $%s", server.EnvToken)
	}
	return nil
}

// open returns the target and a function releasing it.
func (t *targetFlags) open(ctx context.Context, stderr io.Writer) (deploycli.Target, func(), error) {
	if t.server != "" {
		token := t.token
		if token == "" {
			token = os.Getenv(server.EnvToken)
		}
		c, err := mgmtapi.NewClient(t.server, token, nil)
		if err != nil {
			return nil, nil, err
		}
		return deploycli.NewClientTarget(c), func() {}, nil
	}
	cfg, err := t.load()
	if err != nil {
		return nil, nil, err
	}
	logger := newServerLogger(stderr, false).WithOptions(zap.IncreaseLevel(zapcore.WarnLevel))
	st, err := server.OpenStore(ctx, cfg, logger)
	if err != nil {
		return nil, nil, err
	}
	return deploycli.NewStoreTarget(st), func() { st.Close() }, nil
}

// parseInterspersed parses flags placed before, between or after the
// positional arguments, which it returns; "--" ends the flags.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return positional, nil
		}
		if consumed := len(args) - len(rest); consumed > 0 && args[consumed-1] == "--" {
			return append(positional, rest...), nil
		}
		positional = append(positional, rest[0])
		args = rest[1:]
	}
}

// parseOnePath parses flags placed before or after one positional PATH.
func parseOnePath(fs *flag.FlagSet, args []string, what string) (string, error) {
	positional, err := parseInterspersed(fs, args)
	if err != nil {
		return "", err
	}
	switch len(positional) {
	case 0:
		return "", fmt.Errorf("missing %s", what)
	case 1:
		return positional[0], nil
	}
	return "", fmt.Errorf("too many arguments %q: one %s", positional[1:], what)
}

// keywordsFlag collects --keyword KEY=VALUE flags.
type keywordsFlag map[string]string

func (k keywordsFlag) String() string { return fmt.Sprint(len(k), " keywords") }

func (k keywordsFlag) Set(v string) error {
	name, value, ok := strings.Cut(v, "=")
	if !ok || name == "" {
		return errors.New("want KEY=VALUE")
	}
	k[name] = value
	return nil
}

var importCommand = &command{
	name:    "import",
	summary: "import hooks from auth0-deploy-cli files (hooks/ folder or tenant.yaml)",
	run:     importRun,
	usage:   importUsage,
}

type importOptions struct {
	targetFlags
	mappings       string
	keywords       keywordsFlag
	allowDelete    bool
	dryRun         bool
	noCompileCheck bool
}

func newImportFlags(o *importOptions) *flag.FlagSet {
	fs := flag.NewFlagSet("hooks import", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	o.targetFlags.define(fs)
	o.keywords = keywordsFlag{}
	fs.StringVar(&o.mappings, "mappings", "", "keyword mappings file")
	fs.Var(o.keywords, "keyword", "keyword KEY=VALUE, repeatable")
	fs.BoolVar(&o.allowDelete, "allow-delete", false, "delete hooks the files do not describe")
	fs.BoolVar(&o.dryRun, "dry-run", false, "print the plan, write nothing")
	fs.BoolVar(&o.noCompileCheck, "no-compile-check", false, "do not check that scripts compile")
	return fs
}

func importRun(args []string, _ io.Reader, stdout, stderr io.Writer) int {
	ctx, stop := signalContext()
	defer stop()
	return importHooks(ctx, args, stdout, stderr)
}

func importHooks(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	o := &importOptions{}
	path, err := parseOnePath(newImportFlags(o), args, "PATH: a deploy-cli directory or tenant.yaml")
	if errors.Is(err, flag.ErrHelp) {
		importUsage(stdout)
		return exitOK
	}
	if err == nil {
		err = o.check()
	}
	if err != nil {
		return usageErrorf(stderr, "import", "%v", err)
	}
	mappings := deploycli.Mappings{}
	if o.mappings != "" {
		if mappings, err = deploycli.LoadMappings(o.mappings); err != nil {
			return usageErrorf(stderr, "import", "%v", err)
		}
	}
	for k, v := range o.keywords {
		mappings[k] = v
	}
	files, err := deploycli.Read(path, mappings)
	if err != nil {
		return reportFailure(stderr, err)
	}
	for _, w := range files.Warnings {
		fmt.Fprintf(stderr, "hooks: warning: %s\n", w)
	}
	target, closeTarget, err := o.open(ctx, stderr)
	if err != nil {
		fmt.Fprintf(stderr, "hooks: %v\n", err)
		return exitFailure
	}
	defer closeTarget()
	opts := deploycli.PlanOptions{AllowDelete: o.allowDelete}
	if !o.noCompileCheck {
		e, err := engine.New()
		if err != nil {
			fmt.Fprintf(stderr, "hooks: %v\n", err)
			return exitFailure
		}
		defer e.Close()
		opts.Check = func(h deploycli.Hook) error {
			if err := e.Compile(engine.Hook{Name: h.Name, Trigger: h.TriggerID, Script: h.Script}); err != nil {
				var ce *engine.CompileError
				if errors.As(err, &ce) {
					return fmt.Errorf("the script does not compile: %v (--no-compile-check imports it anyway)", ce)
				}
				return err
			}
			return nil
		}
	}
	plan, err := deploycli.NewPlan(ctx, target, files.Hooks, opts)
	if err != nil {
		return reportFailure(stderr, err)
	}
	for _, w := range plan.Warnings {
		fmt.Fprintf(stderr, "hooks: warning: %s\n", w)
	}
	for _, l := range plan.Lines() {
		fmt.Fprintln(stdout, l)
	}
	if o.dryRun {
		fmt.Fprintln(stdout, "hooks: dry run: nothing written")
		return exitOK
	}
	if err := plan.Apply(ctx, target); err != nil {
		return reportFailure(stderr, err)
	}
	counts := map[deploycli.Action]int{}
	for _, c := range plan.Changes {
		counts[c.Action]++
	}
	fmt.Fprintf(stdout, "hooks: imported %d hooks from %s: %d created, %d updated, %d deleted, %d unchanged or left alone\n",
		len(files.Hooks), path, counts[deploycli.ActionCreate], counts[deploycli.ActionUpdate], counts[deploycli.ActionDelete], counts[deploycli.ActionKeep])
	return exitOK
}

// reportFailure writes an import or export failure, every problem of a
// validation error on its own line.
func reportFailure(stderr io.Writer, err error) int {
	var verr *deploycli.ValidationError
	if errors.As(err, &verr) {
		fmt.Fprintf(stderr, "hooks: nothing was written: %d problem(s):\n", len(verr.Problems))
		for _, p := range verr.Problems {
			fmt.Fprintf(stderr, "  %s\n", p)
		}
		return exitFailure
	}
	fmt.Fprintf(stderr, "hooks: %v\n", err)
	return exitFailure
}

func importUsage(w io.Writer) {
	io.WriteString(w, `Usage: hooks import [--data DIR | --server URL [--token TOKEN]] [--config FILE]
                    [--dev] [--mappings FILE] [--keyword KEY=VALUE]...
                    [--allow-delete] [--dry-run] [--no-compile-check] PATH

Import the hooks of auth0-deploy-cli files into the local database or into
a running hookengine server. PATH is a directory holding hooks/ (every
hooks/*.json file is a hook whose "script" names a file relative to hooks/)
or a .yaml file with a hooks: list (scripts relative to the YAML file).
Flags may also follow PATH.

Hooks are matched by name and trigger, as deploy-cli did: the files' hooks
are created or updated, and the target's other hooks left alone unless
--allow-delete is given. Secrets follow deploy-cli: a secret the target
lacks is added, a value other than _VALUE_NOT_SHOWN_ replaces the target's
value (_VALUE_NOT_SHOWN_ keeps it), and a secret the files lack is deleted.
Enabling a hook disables the one enabled before it for the same trigger.

Everything is checked before anything is written: file syntax, names,
triggers, scripts (and that they compile), at most one enabled hook per
trigger, names clashing with the target's hooks. Any problem stops the
import and changes nothing.

Flags:
  --data DIR           local data directory (default hookengine-data)
  --store URL          the PostgreSQL database of the hooks instead
                       (postgres://..., as for hooks serve; default: the
                       configuration's store key, else SQLite in --data)
  --config FILE        YAML configuration of the local database, as for
                       hooks serve (default: none)
  --dev                development mode for the local database (default
                       false; see hooks serve --help)
  --server URL         import into the server at URL instead, such as
                       http://127.0.0.1:8080 (default: the local database)
  --token TOKEN        API token for --server, with read:hooks,
                       create:hooks, update:hooks and delete:hooks
                       (default $HOOKENGINE_TOKEN)
  --mappings FILE      keyword mappings: a JSON object, or a deploy-cli
                       config.json with AUTH0_KEYWORD_REPLACE_MAPPINGS
                       (default: none)
  --keyword KEY=VALUE  a keyword mapping; repeatable; overrides --mappings
                       (default: none). In files and scripts ##KEY## becomes
                       VALUE, and @@KEY@@ the value as JSON
  --allow-delete       delete the target's hooks that the files do not
                       describe (default false: leave them alone)
  --dry-run            print what would change, write nothing
                       (default false)
  --no-compile-check   do not refuse scripts that do not compile
                       (default false: refuse them)
  -h, --help           show this help

Output: one line per hook on stdout (create, update, delete or keep, with
what changes), then a summary; warnings and problems on stderr.

Exit status:
  0  imported (or, with --dry-run, checked)
  1  a problem in the files or the plan (nothing was written), or the
     target failed
  2  usage error

Example:
  hooks import --mappings config.json --allow-delete ./tenant
`)
}

var exportCommand = &command{
	name:    "export",
	summary: "export hooks as auth0-deploy-cli files (hooks/ folder or tenant.yaml)",
	run:     exportRun,
	usage:   exportUsage,
}

type exportOptions struct {
	targetFlags
	format string
}

func newExportFlags(o *exportOptions) *flag.FlagSet {
	fs := flag.NewFlagSet("hooks export", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	o.targetFlags.define(fs)
	fs.StringVar(&o.format, "format", "", "directory or yaml")
	return fs
}

func exportRun(args []string, _ io.Reader, stdout, stderr io.Writer) int {
	ctx, stop := signalContext()
	defer stop()
	return exportHooks(ctx, args, stdout, stderr)
}

func exportHooks(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	o := &exportOptions{}
	path, err := parseOnePath(newExportFlags(o), args, "PATH: a directory, or a .yaml file")
	if errors.Is(err, flag.ErrHelp) {
		exportUsage(stdout)
		return exitOK
	}
	if err == nil {
		err = o.check()
	}
	if err != nil {
		return usageErrorf(stderr, "export", "%v", err)
	}
	format := deploycli.Format(o.format)
	switch format {
	case "":
		format = deploycli.FormatDirectory
		if ext := strings.ToLower(filepath.Ext(path)); ext == ".yaml" || ext == ".yml" {
			format = deploycli.FormatYAML
		}
	case deploycli.FormatDirectory, deploycli.FormatYAML:
	default:
		return usageErrorf(stderr, "export", "unknown --format %q: directory or yaml", o.format)
	}
	target, closeTarget, err := o.open(ctx, stderr)
	if err != nil {
		fmt.Fprintf(stderr, "hooks: %v\n", err)
		return exitFailure
	}
	defer closeTarget()
	ctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()
	hooks, err := deploycli.Export(ctx, target)
	if err != nil {
		return reportFailure(stderr, err)
	}
	var warnings []string
	if format == deploycli.FormatYAML {
		warnings, err = deploycli.WriteYAML(path, hooks)
	} else {
		warnings, err = deploycli.WriteDirectory(path, hooks)
	}
	if err != nil {
		return reportFailure(stderr, err)
	}
	for _, w := range warnings {
		fmt.Fprintf(stderr, "hooks: warning: %s\n", w)
	}
	fmt.Fprintf(stdout, "hooks: exported %d hooks to %s (%s format); secret values show as _VALUE_NOT_SHOWN_\n", len(hooks), path, format)
	return exitOK
}

func exportUsage(w io.Writer) {
	io.WriteString(w, `Usage: hooks export [--data DIR | --server URL [--token TOKEN]] [--config FILE]
                    [--dev] [--format directory|yaml] PATH

Export every hook of the local database, or of a running hookengine server,
as auth0-deploy-cli files: in a directory PATH, hooks/NAME.js and
hooks/NAME.json for each hook; in a YAML file PATH, a hooks: list (other
top-level keys of an existing file are kept) with each script in
hooks/NAME.js beside it. Secrets are exported by name, each value
_VALUE_NOT_SHOWN_, as deploy-cli did: importing the export keeps the
target's values. Flags may also follow PATH.

Flags:
  --data DIR                 local data directory (default hookengine-data)
  --store URL                the PostgreSQL database of the hooks instead
                             (postgres://..., as for hooks serve; default:
                             the configuration's store key, else SQLite)
  --config FILE              YAML configuration of the local database, as
                             for hooks serve (default: none)
  --dev                      development mode for the local database
                             (default false; see hooks serve --help)
  --server URL               export from the server at URL instead
                             (default: the local database)
  --token TOKEN              API token for --server, with read:hooks
                             (default $HOOKENGINE_TOKEN)
  --format directory|yaml    the file format (default: yaml when PATH ends
                             with .yaml or .yml, directory otherwise)
  -h, --help                 show this help

Exit status:
  0  exported
  1  the source or the files failed
  2  usage error

Example:
  hooks export --server http://127.0.0.1:8080 ./tenant/tenant.yaml
`)
}
