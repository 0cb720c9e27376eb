/*
Hooks runs Auth0 Hooks scripts (JavaScript) locally with hookengine.

Usage:

	hooks COMMAND [ARGUMENTS]

The commands are:

	run     run a hook script once on a trigger input read from stdin
	help    show the help of hooks, or of a command: hooks help COMMAND

"hooks --help", "hooks help" and "hooks COMMAND --help" print the help on
stdout and exit with status 0.

# Run

Usage:

	hooks run --trigger ID [--secret NAME=VALUE]... [--timeout DURATION]
	          [--cpu DURATION] [--verbose] SCRIPT < INPUT.json

Run runs the hook script SCRIPT, a .js file that sets module.exports to the
hook function, once as a hook of the extensibility point ID. It reads the
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
*/
package main
