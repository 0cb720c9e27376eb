package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/hookengine/hookengine/engine"
)

// Exit statuses of hooks.
const (
	// exitOK: the command did what was asked; for run, the hook succeeded.
	exitOK = 0
	// exitFailure: the hook ended in error, or hooks itself failed.
	exitFailure = 1
	// exitUsage: the command line or its input was wrong.
	exitUsage = 2
)

// A command is one subcommand of hooks. Each lives in its own file.
type command struct {
	// name is what selects the command: hooks NAME ...
	name string
	// summary is the one-line description in the top-level usage.
	summary string
	// run runs the command on the arguments that follow its name and
	// returns the exit status.
	run func(args []string, stdin io.Reader, stdout, stderr io.Writer) int
	// usage writes the command's full help.
	usage func(w io.Writer)
}

// commands are the subcommands, in the order the usage lists them.
var commands = []*command{
	runCommand,
	benchCommand,
	serveCommand,
	importCommand,
	exportCommand,
	soakCommand,
}

func lookupCommand(name string) *command {
	for _, c := range commands {
		if c.name == name {
			return c
		}
	}
	return nil
}

func main() {
	// In a worker process of --isolation process, this serves runs and
	// never returns; elsewhere it returns at once.
	engine.RunWorkerIfChild(workerOptions()...)
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// run is the whole program: it dispatches args (without the program name)
// to a subcommand and returns the exit status.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		usage(stderr)
		return exitUsage
	}
	switch name := args[0]; name {
	case "help":
		return help(args[1:], stdout, stderr)
	case "-h", "-help", "--help":
		usage(stdout)
		return exitOK
	default:
		if c := lookupCommand(name); c != nil {
			return c.run(args[1:], stdin, stdout, stderr)
		}
		if strings.HasPrefix(name, "-") {
			fmt.Fprintf(stderr, "hooks: unknown flag %s: flags go after the command\n\n", name)
		} else {
			fmt.Fprintf(stderr, "hooks: unknown command %q\n\n", name)
		}
		usage(stderr)
		return exitUsage
	}
}

// help implements "hooks help [COMMAND]".
func help(args []string, stdout, stderr io.Writer) int {
	switch len(args) {
	case 0:
		usage(stdout)
		return exitOK
	case 1:
		if c := lookupCommand(args[0]); c != nil {
			c.usage(stdout)
			return exitOK
		}
		return usageErrorf(stderr, "", "unknown command %q", args[0])
	default:
		return usageErrorf(stderr, "", "too many arguments: hooks help [COMMAND]")
	}
}

// usage writes the top-level help.
func usage(w io.Writer) {
	var b strings.Builder
	b.WriteString(`Usage: hooks COMMAND [ARGUMENTS]

hooks runs Auth0 Hooks scripts (JavaScript) locally with hookengine, serves
Auth0's Management API for hooks, and imports and exports deploy-cli files.

Commands:
`)
	for _, c := range commands {
		fmt.Fprintf(&b, "  %-8s %s\n", c.name, c.summary)
	}
	fmt.Fprintf(&b, "  %-8s %s\n", "help", "show this help, or a command's: hooks help COMMAND")
	b.WriteString(`
Run "hooks help COMMAND" or "hooks COMMAND --help" for a command's flags,
input, output and exit statuses.
`)
	io.WriteString(w, b.String())
}

// usageErrorf reports a usage error on one line of stderr, pointing at the
// help of command cmd ("" for the top-level help), and returns exitUsage.
func usageErrorf(stderr io.Writer, cmd string, format string, args ...any) int {
	see := "hooks --help"
	if cmd != "" {
		see = "hooks " + cmd + " --help"
	}
	fmt.Fprintf(stderr, "hooks: %s (see %q)\n", fmt.Sprintf(format, args...), see)
	return exitUsage
}

// signalContext returns a context that is cancelled by the first SIGINT or
// SIGTERM. After that first signal it stops catching them, so a second one
// kills the process as usual. Callers defer the returned stop.
func signalContext() (context.Context, context.CancelFunc) {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	context.AfterFunc(ctx, stop)
	return ctx, stop
}
