/*
Hooks runs Auth0 Hooks scripts (JavaScript) locally with hookengine, serves
Auth0's Management API for hooks over a local database, and imports and
exports hooks as auth0-deploy-cli files.

Usage:

	hooks COMMAND [ARGUMENTS]

The commands are:

	run     run a hook script once on a trigger input read from stdin
	bench   measure what hook scripts cost: warm and cold runs, CPU, memory
	serve   serve the Management API for hooks (/api/v2/hooks) over a local database
	import  import hooks from auth0-deploy-cli files (hooks/ folder or tenant.yaml)
	export  export hooks as auth0-deploy-cli files (hooks/ folder or tenant.yaml)
	soak    run a mixed load of normal and hostile hooks and check every result
	help    show the help of hooks, or of a command: hooks help COMMAND

"hooks --help", "hooks help" and "hooks COMMAND --help" print the help on
stdout and exit with status 0.

# Run

Usage:

	hooks run --trigger ID [--form FORM] [--secret NAME=VALUE]... [--timeout DURATION]
	          [--cpu DURATION] [--allow-host HOST|CIDR]... [--modules DIR]
	          [--verbose] SCRIPT < INPUT.json

Run runs the hook script SCRIPT, a .js file that sets module.exports to the
hook function (or an Action exporting onExecuteXxx, or a bare function; see
--form), once as a hook of the extensibility point ID. It reads the
trigger input, the request body Auth0 sent to the hook, as JSON on stdin and
prints the result as one JSON object on one line of stdout. The hook is named
after the base name of SCRIPT without ".js". Flags may come before or after
SCRIPT.

The flags are:

	--trigger ID
		The extensibility point the script is written for. Required; one of
		credentials-exchange, pre-user-registration, post-user-registration,
		post-change-password, send-phone-message.
	--secret NAME=VALUE
		A secret the script reads as context.webtask.secrets.NAME. Repeat
		the flag for more secrets. VALUE may contain '='. Default: none.
		Secret values of four characters or more are replaced by
		[REDACTED] in the hook's console output.
	--timeout DURATION
		The wall-time limit of the run, such as 500ms or 1m. Default 20s.
	--cpu DURATION
		The CPU-time limit of the run's JavaScript. Default 2s.
	--allow-host HOST|CIDR
		Let the hook's fetch reach HOST (a name, matched without port) or
		an IP or CIDR network although it is a loopback, private or other
		special-purpose address, such as 127.0.0.1 for a local API. Repeat
		for more. Default: public addresses only.
	--modules DIR
		A node_modules directory (or a project directory holding one) whose
		pure-JavaScript packages the hook may require. Default: none, only
		the built-in modules.
	--verbose
		Write the engine's debug logs to stderr. Default false: no engine
		logs (the hook's console output is in the result either way).

The input is the request body of the trigger:

	credentials-exchange     {"client":{...},"scope":[...],"audience":"...","context":{...}}
	pre-user-registration    {"user":{...},"context":{"connection":{...},...}}
	post-user-registration   {"user":{...},"context":{"connection":{...},...}}
	post-change-password     {"user":{...},"context":{"connection":{...}}}
	send-phone-message       {"recipient":"...","text":"...","context":{...}}

The output is

	{"status":"success"|"error","data":...,
	 "logs":[{"level":...,"message":...},...],
	 "duration_ms":12.345,"execution_id":"...","error":"..."}

status and data are the envelope Auth0's Hooks runtime answered with: data is
the JSON value the hook called back with, or the properties of its error; it
is left out when the hook called back with undefined. logs is the hook's
console output. error is present only when the run ended without the hook
calling back: a time or CPU limit, a compile error, an exception, input the
trigger rejects, an interrupt. Work the hook leaves running after it calls
back is stopped once the result is known.

SIGINT and SIGTERM cancel the run, which then ends in error; a second signal
kills hooks at once.

The exit status is 0 when the hook succeeded (status "success"), 1 when it
ended in error (status "error", whatever the cause), and 2 on usage errors:
an unknown flag or trigger, a missing --trigger or SCRIPT, a SCRIPT that
cannot be read, or stdin that is not JSON. Usage errors are reported on one
line of stderr starting with "hooks: ".

For example:

	hooks run --trigger pre-user-registration --secret API_KEY=s3cr3t \
	    hook.js < signup.json

# Bench

Usage:

	hooks bench --trigger ID [--secret NAME=VALUE]... [--count N | --time D]
	            [--warmup N] [--concurrency C] [--samples N] [--cold N]
	            [--format table|json|gobench] [--input-dir DIR]
	            [--stub URL=FILE]... [flags of run] SCRIPT... [< INPUT.json]

Bench measures each SCRIPT on the input read from stdin, or on every *.json
file of --input-dir: warm-up runs first (not counted), then the warm runs in
rounds, the scripts interleaved round by round, with C runs in flight; then
cold runs, each the first run on a new engine; then the memory a warm hook
keeps. It reports per script the wall time of a warm run (mean ± standard
deviation, median, p90, p99, min, max), its CPU time and share of the CPU
limit, allocations and bytes per run, the retained memory, the cold runs,
the throughput, how runs ended and the outliers, and compares every other
script with the first (ratio of medians, Mann-Whitney U test, with
golang.org/x/perf/benchmath). --format json writes the whole report;
--format gobench writes Go benchmark lines (one per round, named after the
script's file name) that benchstat compares across two files. --stub
URL=FILE answers fetch requests under URL from a file, with its headers,
so that a benchmark never calls the real API. A progress bar is drawn on
stderr when it is a terminal. The exit status is 0 when the benchmark ran,
1 when a script does not compile or the benchmark failed, 2 on usage errors
(an unknown trigger, --count below 1, an input that is not JSON, a bad stub
file).

# Serve

Usage:

	hooks serve [--data DIR] [--addr HOST:PORT] [--config FILE] [--dev] [--verbose]
	            [--isolation in-process|process] [--modules DIR]
	            [--tls-cert FILE --tls-key FILE | --tls-self-signed] [--allow-host HOST|CIDR]...

Serve keeps hooks in a SQLite database in the data directory (default
hookengine-data) and serves Auth0's Management API for them
(/api/v2/hooks, /api/v2/hooks/{id}, /api/v2/hooks/{id}/secrets), the
hookengine endpoints (/hookengine/v1/hooks/{id}/run,
/hookengine/v1/triggers/{triggerId}/run, the compile check
/hookengine/v1/triggers/{triggerId}/check and the log stream
/hookengine/v1/hooks/{id}/logs) and the Hooks page (/dashboard/, see
package dashboard), on 127.0.0.1:8080 by default. See package mgmtapi for
the endpoints.

With --modules DIR (the configuration's node_modules), hooks may require
the pure-JavaScript packages of that node_modules directory, and the
dependencies hooks declare are checked against it before each run and by
the compile check, which answers a verdict per package (the Hooks page's
Dependencies tab shows it).

Hook secrets are encrypted at rest with a key of 32 bytes, in base64 or
hex, from $HOOKENGINE_SECRETS_KEY or the configuration's secrets_key_file.
Without one serve refuses to start, unless --dev is given: development mode
keeps a generated key in the data directory and says so at every start.

Requests need "Authorization: Bearer TOKEN". Tokens come from the
configuration (static tokens with scopes, JWT access tokens) and from
$HOOKENGINE_TOKEN; with none, a development token with every scope is made
on first start and printed once on stdout. Tokens and secret values are
never logged.

With --tls-cert and --tls-key (or, with --dev, --tls-self-signed) it serves
HTTPS, TLS 1.2 or later with HTTP/2, and loads the files again when they
change. An oauth: section of the configuration serves POST /oauth/token,
the client-credentials grant as Auth0 answers it, with RS256 tokens for
https://DOMAIN/api/v2/ and their public key at /.well-known/jwks.json, so
that the Deploy CLI and Auth0's SDKs log in with a client id and secret.
--allow-host (and network.allow_hosts) lets hooks' fetch reach loopback or
private hosts; hook_limits gives single hooks their own limits.

Serve prints "hooks: serving the Management API on http(s)://ADDR/api/v2/hooks"
once listening, then the address of the Hooks page (with the development
token in the link's fragment when it was just made), logs JSON on stderr, and stops gracefully on SIGINT or
SIGTERM, exiting with 0; it exits with 1 when it cannot start.

# Import

Usage:

	hooks import [--data DIR | --server URL [--token TOKEN]] [--config FILE] [--dev]
	             [--mappings FILE] [--keyword KEY=VALUE]... [--allow-delete]
	             [--dry-run] [--no-compile-check] PATH

Import reads a deploy-cli directory (hooks/*.json, each naming its script
file) or tenant.yaml (a hooks: list) at PATH, replaces the keywords ##KEY##
and @@KEY@@, checks everything, and creates or updates the hooks, matched by
name and trigger, in the local database or on a server. Hooks the files do
not describe are deleted only with --allow-delete. A problem anywhere stops
the import before anything is written (exit status 1).

# Export

Usage:

	hooks export [--data DIR | --server URL [--token TOKEN]] [--config FILE] [--dev]
	             [--format directory|yaml] PATH

Export writes every hook of the local database or of a server as deploy-cli
files: a directory (hooks/NAME.js and hooks/NAME.json) or a .yaml file (a
hooks: list, scripts in hooks/ beside it). Secret values are written as
_VALUE_NOT_SHOWN_, which an import leaves unchanged.

# Soak

Usage:

	hooks soak [--duration DURATION] [--workers N] [--json] [--seed N]
	           [--testdata DIR]

Soak runs a weighted mix of the repository's hooks on one engine for
DURATION (default 60s): mostly normal hooks of testdata/soak, a few hostile
ones of testdata/hostile, all under short limits. Every normal run's input
carries a unique token the hook echoes, and its whole result is compared
with what its input implies; hostile runs must end with their expected
error class. It prints latency percentiles, how runs ended, the checks, and
goroutines and live heap before and after, and exits with 1 when a check
fails or goroutines or heap do not come back to their baseline.
*/
package main
