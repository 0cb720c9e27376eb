package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"github.com/hookengine/hookengine/engine"
	"github.com/hookengine/hookengine/sandbox"
	"github.com/hookengine/hookengine/sandbox/fetch"
	"github.com/hookengine/hookengine/server"
	"github.com/hookengine/hookengine/triggers"
)

var runCommand = &command{
	name:    "run",
	summary: "run a hook script once on a trigger input read from stdin",
	run:     runRun,
	usage:   runUsage,
}

// runOptions is the parsed command line of hooks run.
type runOptions struct {
	trigger   string
	form      string
	secrets   secretsFlag
	timeout   durationFlag
	cpu       durationFlag
	verbose   bool
	allow     allowFlag
	modules   string
	isolation isolationFlag
	script    string
}

// newRunFlags defines the flags of hooks run on o, set to their defaults.
func newRunFlags(o *runOptions) *flag.FlagSet {
	fs := flag.NewFlagSet("hooks run", flag.ContinueOnError)
	fs.SetOutput(io.Discard) // errors are reported by runRun, help by runUsage
	fs.Usage = func() {}
	addRunFlags(fs, o)
	return fs
}

// addRunFlags defines on fs the flags of hooks run, which hooks bench
// shares, and sets o to their defaults.
func addRunFlags(fs *flag.FlagSet, o *runOptions) {
	o.secrets = secretsFlag{}
	o.timeout = durationFlag(engine.DefaultWallTime)
	o.cpu = durationFlag(engine.DefaultCPUTime)
	fs.StringVar(&o.trigger, "trigger", "", "extensibility point of the script (required)")
	fs.StringVar(&o.form, "form", "", "script form: hook, action or rule (default: told from the script)")
	fs.Var(o.secrets, "secret", "secret NAME=VALUE, repeatable")
	fs.Var(&o.timeout, "timeout", "wall-time limit of the run")
	fs.Var(&o.cpu, "cpu", "CPU-time limit of the run")
	fs.BoolVar(&o.verbose, "verbose", false, "engine debug logs to stderr")
	fs.Var(&o.allow, "allow-host", "host name, IP or CIDR fetch may reach, repeatable")
	fs.StringVar(&o.modules, "modules", "", "node_modules directory hooks may require packages from")
	o.isolation = isolationInProcess
	fs.Var(&o.isolation, "isolation", "where the hook runs: in-process or process")
}

// parseRunArgs parses the arguments of hooks run. Flags may come before or
// after SCRIPT; "--" ends them. It returns flag.ErrHelp for -h and --help.
func parseRunArgs(args []string) (*runOptions, error) {
	o := &runOptions{}
	fs := newRunFlags(o)
	positional, err := parseInterspersed(fs, args)
	if err != nil {
		return nil, err
	}
	if o.trigger == "" {
		return nil, fmt.Errorf("missing --trigger: one of %s", triggerList())
	}
	if _, ok := triggers.Lookup(triggers.ID(o.trigger)); !ok {
		return nil, fmt.Errorf("unknown trigger %q: valid triggers are %s", o.trigger, triggerList())
	}
	if _, err := triggers.ParseForm(o.form); err != nil {
		return nil, err
	}
	switch len(positional) {
	case 0:
		return nil, errors.New("missing SCRIPT: the path of the hook's .js file")
	case 1:
		o.script = positional[0]
	default:
		return nil, fmt.Errorf("too many arguments %q: run takes one SCRIPT", positional[1:])
	}
	return o, nil
}

func triggerList() string {
	ids := triggers.IDs()
	s := make([]string, len(ids))
	for i, id := range ids {
		s[i] = string(id)
	}
	return strings.Join(s, ", ")
}

// runRun implements hooks run.
func runRun(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	o, err := parseRunArgs(args)
	if errors.Is(err, flag.ErrHelp) {
		runUsage(stdout)
		return exitOK
	}
	if err != nil {
		return usageErrorf(stderr, "run", "%v", err)
	}
	script, err := os.ReadFile(o.script)
	if err != nil {
		return usageErrorf(stderr, "run", "cannot read SCRIPT: %v", err)
	}
	input, err := readInput(stdin)
	if err != nil {
		return usageErrorf(stderr, "run", "%v", err)
	}
	opts, fetchOpts, closeModules, err := o.engineOptions(stderr)
	if err != nil {
		return usageErrorf(stderr, "run", "%v", err)
	}
	defer closeModules()
	opts = append(opts, engine.WithFetch(fetchOpts))
	e, err := engine.New(opts...)
	if err != nil {
		fmt.Fprintf(stderr, "hooks: %v\n", err)
		return exitFailure
	}
	// Close before anything else is written: it stops work the hook left
	// running after calling back, which would otherwise log concurrently.
	defer e.Close()

	ctx, stop := signalContext()
	defer stop()

	hook := engine.Hook{
		Name:    strings.TrimSuffix(filepath.Base(o.script), ".js"),
		Trigger: triggers.ID(o.trigger),
		Form:    triggers.Form(o.form),
		Script:  string(script),
		Secrets: o.secrets,
	}
	res, runErr := e.Run(ctx, hook, input)
	interrupted := ctx.Err() != nil
	e.Close()
	if res == nil {
		fmt.Fprintf(stderr, "hooks: %v\n", runErr)
		return exitFailure
	}
	if err := writeResult(stdout, res, runErr); err != nil {
		fmt.Fprintf(stderr, "hooks: writing the result: %v\n", err)
		return exitFailure
	}
	if interrupted {
		fmt.Fprintln(stderr, "hooks: interrupted: the run was cancelled")
	}
	if runErr != nil || !res.Envelope.Succeeded() {
		return exitFailure
	}
	return exitOK
}

// engineOptions are the engine options the flags of hooks run give: limits,
// node_modules, isolation, the verbose logger; the fetch options apart, for
// the caller to complete. closeFn releases the node_modules directory and
// flushes the logger, after the engine is closed.
func (o *runOptions) engineOptions(stderr io.Writer) (opts []engine.Option, fetchOpts engine.FetchOptions, closeFn func(), err error) {
	var closers []func()
	closeFn = func() {
		for _, c := range slices.Backward(closers) {
			c()
		}
	}
	opts = []engine.Option{engine.WithLimits(o.limits())}
	fetchOpts = engine.FetchOptions{Options: fetch.Options{Allow: o.allow}}
	if o.modules != "" {
		root, err := server.OpenNodeModules(o.modules)
		if err != nil {
			return nil, fetchOpts, closeFn, fmt.Errorf("--modules: %v", err)
		}
		closers = append(closers, func() { _ = root.Close() })
		opts = append(opts, engine.WithNodeModules(root.FS()))
	}
	if o.isolation == isolationProcess {
		iso := engine.ProcessIsolation{Workers: 1}
		if o.modules != "" {
			dir, err := filepath.Abs(o.modules)
			if err != nil {
				closeFn()
				return nil, fetchOpts, func() {}, fmt.Errorf("--modules: %v", err)
			}
			iso.Env = []string{envWorkerModules + "=" + dir}
		}
		opts = append(opts, engine.WithProcessIsolation(iso))
	}
	if o.verbose {
		logger := newVerboseLogger(stderr)
		closers = append(closers, func() { _ = logger.Sync() }) // stderr may not support Sync
		opts = append(opts, engine.WithLogger(logger))
	}
	return opts, fetchOpts, closeFn, nil
}

// limits are the limits the flags set.
func (o *runOptions) limits() engine.Limits {
	return engine.Limits{WallTime: time.Duration(o.timeout), CPUTime: time.Duration(o.cpu)}
}

// readInput reads the trigger input from stdin and checks that it is JSON.
func readInput(stdin io.Reader) ([]byte, error) {
	if stdin == nil {
		return nil, errors.New("no stdin: pipe the trigger input to hooks as JSON")
	}
	b, err := io.ReadAll(stdin)
	if err != nil {
		return nil, fmt.Errorf("cannot read the trigger input from stdin: %v", err)
	}
	b = bytes.TrimPrefix(b, []byte("\uFEFF")) // a byte order mark some editors and shells add
	if len(bytes.TrimSpace(b)) == 0 {
		return nil, errors.New("stdin is empty: pipe the trigger input to hooks as JSON")
	}
	if err := checkJSON(b, "stdin"); err != nil {
		return nil, err
	}
	return b, nil
}

// checkJSON checks that b, read from what, is one JSON value.
func checkJSON(b []byte, what string) error {
	if err := json.Unmarshal(b, new(json.RawMessage)); err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			return fmt.Errorf("%s is not valid JSON: %v (at byte %d)", what, err, se.Offset)
		}
		return fmt.Errorf("%s is not valid JSON: %v", what, err)
	}
	return nil
}

// logLine is one line of the hook's console output in the result.
type logLine struct {
	Level   sandbox.Level `json:"level"`
	Message string        `json:"message"`
}

// writeResult writes the result of a run as one JSON object on one line:
// status, data (the envelope's JSON text as it is, left out when the
// envelope has none), logs, duration_ms, execution_id and, when the run
// ended other than through the hook's callback, error.
func writeResult(w io.Writer, res *engine.Result, runErr error) error {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	field := func(sep, name string, v any) error {
		b.WriteString(sep)
		b.WriteString(`"` + name + `":`)
		if err := enc.Encode(v); err != nil {
			return err
		}
		b.Truncate(b.Len() - 1) // Encode's newline
		return nil
	}
	if err := field("{", "status", res.Envelope.Status); err != nil {
		return err
	}
	if len(res.Envelope.Data) > 0 {
		if !json.Valid(res.Envelope.Data) {
			return fmt.Errorf("the envelope's data is not JSON: %q", res.Envelope.Data)
		}
		b.WriteString(`,"data":`)
		b.Write(res.Envelope.Data)
	}
	logs := make([]logLine, len(res.Logs))
	for i, l := range res.Logs {
		logs[i] = logLine{Level: l.Level, Message: l.Message}
	}
	if err := field(",", "logs", logs); err != nil {
		return err
	}
	ms := float64(res.Duration.Microseconds()) / 1000
	if err := field(",", "duration_ms", ms); err != nil {
		return err
	}
	if err := field(",", "execution_id", res.ExecutionID); err != nil {
		return err
	}
	if runErr != nil {
		if err := field(",", "error", runErr.Error()); err != nil {
			return err
		}
	}
	b.WriteString("}\n")
	_, err := w.Write(b.Bytes())
	return err
}

// newVerboseLogger is a zap development logger writing to w.
func newVerboseLogger(w io.Writer) *zap.Logger {
	out := zapcore.Lock(zapcore.AddSync(w))
	core := zapcore.NewCore(zapcore.NewConsoleEncoder(zap.NewDevelopmentEncoderConfig()), out, zapcore.DebugLevel)
	return zap.New(core, zap.Development(), zap.AddCaller(), zap.ErrorOutput(out))
}

// secretsFlag collects --secret NAME=VALUE flags.
type secretsFlag map[string]string

func (s secretsFlag) String() string {
	names := make([]string, 0, len(s))
	for k := range s {
		names = append(names, k)
	}
	slices.Sort(names)
	return strings.Join(names, ",")
}

func (s secretsFlag) Set(v string) error {
	name, value, ok := strings.Cut(v, "=")
	switch {
	case !ok:
		return errors.New("want NAME=VALUE")
	case name == "":
		return errors.New("empty NAME: want NAME=VALUE")
	}
	if _, dup := s[name]; dup {
		return fmt.Errorf("secret %s given twice", name)
	}
	s[name] = value
	return nil
}

// allowFlag collects --allow-host flags, checked as fetch.NewGuard checks
// them.
type allowFlag []string

func (a *allowFlag) String() string { return strings.Join(*a, ",") }

func (a *allowFlag) Set(v string) error {
	if _, err := fetch.NewGuard(v); err != nil {
		return err
	}
	*a = append(*a, v)
	return nil
}

// durationFlag is a positive duration flag.
type durationFlag time.Duration

func (d *durationFlag) String() string { return time.Duration(*d).String() }

func (d *durationFlag) Set(v string) error {
	x, err := time.ParseDuration(v)
	if err != nil {
		return err
	}
	if x <= 0 {
		return errors.New("must be positive")
	}
	*d = durationFlag(x)
	return nil
}

// inputShapes sketch the request body of each trigger, as runUsage shows it.
var inputShapes = map[triggers.ID]string{
	triggers.CredentialsExchange:  `{"client":{"id":...,"name":...,"tenant":...,"metadata":{...}},` + "\n        " + `"scope":[...],"audience":"...","context":{...}}`,
	triggers.PreUserRegistration:  `{"user":{"email":...,"username":...,"user_metadata":{...},...},` + "\n        " + `"context":{"connection":{"id":...,"name":...,"tenant":...},...}}`,
	triggers.PostUserRegistration: `{"user":{"id":...,"email":...,...},"context":{"connection":{...},...}}`,
	triggers.PostChangePassword:   `{"user":{"id":...,"email":...,...},"context":{"connection":{...}}}`,
	triggers.SendPhoneMessage:     `{"recipient":"...","text":"...","context":{"message_type":"sms"|"voice",` + "\n        " + `"action":...,"language":...,"code":...,"ip":...,"user_agent":...,` + "\n        " + `"user":{...},...}}`,
}

// inputShape returns the sketch of trigger t's input; for a trigger without
// one, it lists the parameters the script receives.
func inputShape(t *triggers.Trigger) string {
	if s, ok := inputShapes[t.ID]; ok {
		return s
	}
	var keys []string
	for _, p := range t.Params[:len(t.Params)-1] { // the callback is last
		keys = append(keys, `"`+p+`":...`)
	}
	return "{" + strings.Join(keys, ",") + "}"
}

// runUsage writes the help of hooks run.
func runUsage(w io.Writer) {
	var b strings.Builder
	fmt.Fprintf(&b, `Usage: hooks run --trigger ID [--form FORM] [--secret NAME=VALUE]...
                 [--timeout DURATION] [--cpu DURATION]
                 [--allow-host HOST|CIDR]... [--modules DIR]
                 [--isolation in-process|process] [--verbose]
                 SCRIPT < INPUT.json

Run the hook script SCRIPT (a .js file that sets module.exports to the hook
function, an Action that exports onExecuteXxx, or a bare function) once,
as a hook of the extensibility point ID, on the trigger input
read as JSON from stdin, and print the result as one JSON object on stdout.
Flags may also follow SCRIPT.

Flags:
  --trigger ID         extensibility point the script is written for
                       (required, no default), one of:
                       %s
  --form FORM          the script's form: hook (module.exports = function),
                       action (exports.onExecuteXxx = async (event, api)) or
                       rule (a bare function (user, context, callback))
                       (default: told from the script)
  --secret NAME=VALUE  secret the script reads as context.webtask.secrets.NAME;
                       repeat for more secrets; VALUE may contain '='
                       (default: no secrets)
  --timeout DURATION   wall-time limit of the run, such as 500ms or 1m
                       (default %v)
  --cpu DURATION       CPU-time limit of the run's JavaScript (default %v)
  --allow-host HOST|CIDR
                       let the hook's fetch reach HOST (a name, matched
                       without port) or an IP or CIDR network although it
                       is a loopback, private or other special address, such
                       as 127.0.0.1 for a local API; repeatable (default: only
                       public addresses)
  --modules DIR        let the hook require the pure-JavaScript packages of
                       the node_modules directory DIR (or DIR/node_modules,
                       as npm install --prefix DIR makes it), read-only;
                       pinned require('name@version') calls are checked
                       against the installed versions (default: none; the
                       built-in modules such as axios are always there)
  --isolation MODE     where the hook runs: in-process, in this process, or
                       process, in a worker process that is killed when the
                       run passes its limits, even stuck in a native call,
                       and that the kernel holds to its memory limit
                       (default in-process)
  --verbose            write the engine's debug logs to stderr
                       (default false: no engine logs)
  -h, --help           show this help

Input (stdin), the request body of the trigger:
`, strings.Join(wrapIDs(), ",\n                       "), engine.DefaultWallTime, engine.DefaultCPUTime)
	for _, t := range triggers.All() {
		fmt.Fprintf(&b, "  %s\n      %s\n", t.ID, inputShape(t))
	}
	b.WriteString(`
Output (stdout), one JSON object on one line:
  {"status":"success"|"error","data":...,
   "logs":[{"level":...,"message":...},...],
   "duration_ms":12.345,"execution_id":"...","error":"..."}
  status and data are the envelope Auth0's Hooks runtime answered with: data
  is the value the hook called back with, or the properties of its error
  (name, message, friendlyMessage, code, ...); it is left out when the hook
  called back with undefined. logs is the hook's console output, level one of
  debug, info, warn, error. error is there only when the run ended without
  the hook calling back: a time or CPU limit, a compile error, an exception,
  input the trigger rejects, an interrupt. Work the hook leaves running after
  it calls back is stopped when the result is printed.

Exit status:
  0  the hook succeeded: status "success"
  1  the hook ended in error: status "error", whether the hook called back
     with an error or the run failed (limits, compile error, exception,
     invalid input, SIGINT or SIGTERM)
  2  usage error: unknown flag or trigger, missing --trigger or SCRIPT,
     unreadable SCRIPT, stdin that is not JSON

Example:
  hooks run --trigger pre-user-registration --secret API_KEY=s3cr3t \
      hook.js < signup.json
`)
	io.WriteString(w, b.String())
}

// wrapIDs groups the trigger ids in lines that fit the flag descriptions.
func wrapIDs() []string {
	var lines []string
	line := ""
	for _, id := range triggers.IDs() {
		switch {
		case line == "":
			line = string(id)
		case len(line)+2+len(id) > 50:
			lines = append(lines, line)
			line = string(id)
		default:
			line += ", " + string(id)
		}
	}
	return append(lines, line)
}
