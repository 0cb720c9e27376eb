// Package mgmtapi serves Auth0's Management API for hooks (/api/v2/hooks)
// over a store.Store, as an http.Handler that embedders mount on their own
// mux, plus a client of it. A client written against Auth0's API for hooks
// works against it unchanged.
//
//	h := mgmtapi.NewHandler(st,
//		mgmtapi.WithAuthenticator(auth),
//		mgmtapi.WithRunner(runner.New(st, e)),
//		mgmtapi.WithLogger(logger))
//	mux.Handle("/api/v2/hooks", h)
//	mux.Handle("/api/v2/hooks/", h)
//	mux.Handle("/hookengine/v1/", h)
//
// # Endpoints
//
//	GET    /api/v2/hooks                read:hooks    200 [hook...] or {"total","start","limit","hooks"}
//	POST   /api/v2/hooks                create:hooks  201 hook
//	GET    /api/v2/hooks/{id}           read:hooks    200 hook
//	PATCH  /api/v2/hooks/{id}           update:hooks  200 hook
//	DELETE /api/v2/hooks/{id}           delete:hooks  204
//	GET    /api/v2/hooks/{id}/secrets   read:hooks    200 {"NAME":"_VALUE_NOT_SHOWN_",...}
//	POST   /api/v2/hooks/{id}/secrets   update:hooks  201 {}
//	PATCH  /api/v2/hooks/{id}/secrets   update:hooks  201 {}
//	DELETE /api/v2/hooks/{id}/secrets   delete:hooks  204 (body: ["NAME",...])
//
// A hook is {"id","name","script","dependencies","enabled","triggerId"}, in
// that order. GET /api/v2/hooks takes page (from 0), per_page (0 to 100,
// default 50), include_totals, enabled, triggerId, fields and
// include_fields; GET /api/v2/hooks/{id} takes fields and include_fields.
// Unknown query parameters are ignored.
//
// Bodies are validated as Auth0's API schemas say: POST requires name,
// script and triggerId and allows enabled (default false) and dependencies;
// PATCH allows name, script, enabled and dependencies, at least one, so a
// hook's triggerId cannot change; names match
// ^[a-zA-Z0-9]([ \-a-zA-Z0-9]*[a-zA-Z0-9])?$; scripts are not empty; secrets
// bodies hold 1 to 20 string values and a hook has at most 20 secrets;
// DELETE .../secrets takes a non-empty array of names; any other property
// is refused. Bodies over one megabyte get 413, malformed JSON 400: bad
// input never gets a 500.
//
// Errors have Auth0's body,
//
//	{"statusCode":404,"error":"Not Found","message":"Error: Hook does not exist","errorCode":"HookDoesNotExist"}
//
// with 400 invalid_body or invalid_query_string for input that breaks the
// schema, 401 for a missing or refused token, 403 "Insufficient scope;
// expected any of: read:hooks." for a token without the scope, 404
// HookDoesNotExist, 409 for a name or secret that exists already, 413 for a
// body too large, 405 (with Allow) for a method a path does not have. The
// other resources of the Management API (/api/v2/rules, /api/v2/clients...)
// answer 404 hookengine_only_hooks, whose message says that only hooks are
// served and how to tell the Deploy CLI (AUTH0_INCLUDED_ONLY: ["hooks"]). An
// expired JWT answers 401 with Auth0's "Expired token received for JSON Web
// Token validation".
//
// # Choices where Auth0's behaviour was not documented
//
// Where Auth0's API description and recorded traffic disagree, this package
// follows the traffic: PATCH /api/v2/hooks/{id} answers 200 (not 201),
// PATCH .../secrets answers 201 {}, DELETE of a missing hook answers 404
// HookDoesNotExist, secret values show as "_VALUE_NOT_SHOWN_" with the
// trailing underscore.
//
// Names are kept exactly as sent when store.CheckName accepts them (Auth0's
// published pattern), and refused with 400 and the reason otherwise. Auth0's
// API rewrote them ("test-hook735" came back as "test-hook-735"), so that a
// client looking a hook up by the name it sent found nothing; hookengine
// does not. Names are unique across all triggers under store.NormalizeName,
// so "My Hook" and "my-hook" conflict (409, naming the hook that has it).
//
// One hook per extensibility point is enabled at a time: creating a hook
// with "enabled": true, or patching one to it, disables the hook of the
// same trigger that was enabled, in the same transaction, as Auth0's
// Dashboard and its old CLI did. Hooks are created disabled unless the body
// says otherwise, as the API's schema defaults. The dependencies of a hook
// are stored and returned; hookengine installs nothing (scripts require only
// the modules the engine provides).
//
// DELETE .../secrets ignores names the hook does not have. The error codes
// for conflicts and missing secrets, which no recording shows, are this
// package's (see the Code constants).
//
// # The run endpoints (a hookengine extension)
//
// Auth0's Dashboard could run a hook on a sample input; hookengine offers
// that as two endpoints outside Auth0's API, under /hookengine/v1, needing
// the scope run:hooks (also a hookengine extension):
//
//	POST /hookengine/v1/hooks/{id}/run             run the hook, enabled or not
//	POST /hookengine/v1/triggers/{triggerId}/run   run the trigger's enabled hook
//
// The body is the trigger's input, the request body Auth0 sent the hook;
// the answer is a RunResult: {"status","data"} as Auth0's runtime answered,
// the "outcome", the script's "form" (hook, action or rule: scripts in
// all three forms are accepted, checked and run), the console "logs",
// "duration_ms", "cpu_ms", "execution_id", "hook_id" and, when the run ended without
// the hook calling back, "error".
// It is 200 whatever the hook did; 404 hookengine_no_hook_enabled when the
// trigger has no enabled hook; 504 hookengine_run_timeout when the engine
// did not return the run by its deadline (see WithRunTimeout). The hook's
// secret values are replaced by [REDACTED] in the answer, in every string
// of it and every encoding (package internal/redact). They are served only
// when a runner is given (WithRunner).
//
// Routes are matched on the path as the client sent it, segment by
// segment: an encoded slash or backslash (%2F, %5C, or encoded again)
// never separates segments, so /api/v2/hooks/ID%2Fsecrets is a 404.
//
// The outcome is what the envelope means for the trigger (the engine's
// triggers.Outcome), by trigger:
//
//	credentials-exchange    {"trigger","scope","claims","ignored","oauth_error":{"status","error","error_description"},"failure"}
//	pre-user-registration   {"trigger","denied","user_metadata","app_metadata","failure"}
//	send-phone-message      {"trigger","result","failure"}
//	post-user-registration,
//	post-change-password    {"trigger","failure"}
//
// where failure is {"name","message","friendly_message","code"}, absent on
// success, and null metadata means the hook returned none (the signup's is
// kept).
//
// Two more endpoints serve the Hooks page (package dashboard), with the
// same tokens:
//
//	POST /hookengine/v1/triggers/{triggerId}/check   create:hooks or update:hooks
//	GET  /hookengine/v1/hooks/{id}/logs              run:hooks
//
// The check compiles {"script": "..."} for the trigger as the engine would
// run it, and answers 200 {"compiles":true}, or {"compiles":false,"error":
// {"message","line","column"}} with the 1-based position in the script;
// nothing is stored. It is served when a compiler is given (WithCompiler).
// A body may also declare "dependencies" (as a hook does); when the
// compiler is a DependencyChecker the answer then has "dependencies": a
// DependencyVerdict per package, {"name","version","ok"} and, when not ok,
// "installed", "problem" (missing, wrong_version, esm_only, native_addon,
// core_module, invalid, unloadable) and "reason".
//
// The log stream is server-sent events (text/event-stream) of every run of
// the hook on this server, as they happen: a "ready" event, then a "log"
// event per line the engine logs about a run of the hook (a RunLogEvent:
// console output, errors, the end of the run with its status and
// duration, each with the hook and execution ids), comment lines as a
// heartbeat, and an "end" event when the server shuts down. It is served
// when a RunLogs is given (WithRunLogs); RunLogs documents how it is fed
// and bounded. Browsers read it with fetch, which can send the token
// (EventSource cannot).
//
// The page's Benchmark button uses a third, served with the run endpoints:
//
//	POST /hookengine/v1/hooks/{id}/bench?runs=N      run:hooks
//
// It runs the stored hook on the posted input once to warm it, then N times
// (default DefaultBenchRuns, at most MaxBenchRuns) one after the other on
// the server's engine, stopping after BenchBudget, and answers a
// BenchResult: the distribution of the runs' duration and CPU time (median,
// p90, p99...), a histogram of the durations, how the runs ended and the
// hook's wall and CPU limits. One benchmark runs at a time (503 otherwise).
// "hooks bench" measures scripts more thoroughly, on a machine of one's own.
//
// # Authorization
//
// Requests carry "Authorization: Bearer TOKEN". NewJWT accepts JWT access
// tokens signed with HS256 or RS256 for a configured audience, with an
// expiry; their scopes are the scope claim (and Auth0's permissions claim).
// NewStaticTokens accepts API tokens from configuration, kept only as
// SHA-256 digests. AnyOf combines them. Tokens are never logged.
//
// # Concurrency
//
// A Handler and a Client are safe for concurrent use.
package mgmtapi
