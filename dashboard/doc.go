// Package dashboard is the Hooks page of hookengine in the browser: what
// Auth0's Dashboard offered for hooks, served by "hooks serve" at Path on
// the same origin as the Management API.
//
//	mux.Handle(dashboard.Path, dashboard.Handler())
//
// The page is HTML, CSS and JavaScript embedded in the binary, and loads
// nothing from elsewhere. Its code editor, CodeMirror 6, is one minified ES
// module, static/editor.js, built from the npm packages pinned in
// dashboard/editor (package.json, package-lock.json, build.mjs with
// esbuild); the bundle is committed, so building the binary needs no npm.
// After changing dashboard/editor/src or the packages, run "npm ci && npm
// run build" there and commit static/editor.js. It signs in with a
// Management API token, kept only in the tab's session storage, and does
// everything through the Management API and the hookengine extensions
// with that token, so it can do exactly what the token's scopes allow and
// nothing more:
//
//   - the five extensibility points with their hooks, the enabled one
//     marked, and a switch to enable one (or none) per point;
//   - Create a Hook: a name, validated as the API does, and a point; the
//     hook starts from the point's starter script;
//   - a code editor (JavaScript highlighting, line numbers, bracket
//     matching, search) and save (Ctrl/Cmd+S), which marks compile errors
//     at their line and column as lint markers before saving (POST
//     /hookengine/v1/triggers/{triggerId}/check), rename and delete;
//   - secrets: names only, add, change and delete;
//   - dependencies: the npm packages the hook declares, with the engine's
//     verdict on each (the same check endpoint);
//   - a runner: a sample input for the point, and the run's envelope, typed
//     outcome, duration and console output;
//   - real-time logs of every run of the selected hook on the server
//     (server-sent events from GET /hookengine/v1/hooks/{id}/logs).
//
// # What the handler serves
//
// Handler serves the page and its assets under Path, and points.json, the
// extensibility points as the page shows them: each point's parameters,
// summary, starter script and sample input. None of it is secret and none
// of it needs a token. Every answer carries a strict Content-Security-Policy
// (ContentSecurityPolicy): scripts, styles, images and connections from
// the page's own origin only, no inline script, no plugins, no framing,
// and Trusted Types required, so the page cannot be made to load or send
// anything elsewhere.
//
// # Concurrency
//
// The handler is safe for concurrent use.
package dashboard
