// Package deploycli reads and writes hooks in the formats of Auth0's Deploy
// CLI (auth0-deploy-cli), and imports them into a store or a server as the
// Deploy CLI imported them into a tenant.
//
// # Formats
//
// The directory format is a folder holding hooks/, where every *.json file
// is one hook,
//
//	{"name": "cce hook", "triggerId": "credentials-exchange", "enabled": true,
//	 "script": "./client-credentials-exchange.js",
//	 "secrets": {"api-key": "##API_KEY##"}, "dependencies": {"bcrypt": "3.0.6"}}
//
// whose script names a file relative to hooks/. The YAML format is a
// tenant.yaml with a hooks: list of the same objects, whose scripts name
// files relative to the YAML file (the export writes them to hooks/). As in
// the Deploy CLI, a script value that names no file is the script's text,
// unless it looks like a file name (then it is an error). Keywords are
// replaced in the hook files and in the scripts (see Mappings).
//
// # Importing
//
// NewPlan compares the files' hooks with a Target's (NewStoreTarget for a
// local store, NewClientTarget for a server's Management API) and checks
// everything before anything is written: Read reports every problem of the
// files at once, NewPlan every problem of the plan (names, one enabled hook
// per trigger, scripts refused by a check, name clashes with the target).
// Plan.Apply then carries it out. Names are sent as the Deploy CLI sends
// them (SentName: lower-cased, spaces turned into '-', in both formats).
// Hooks are matched by trigger and by the key of their name
// (store.NormalizeName), and a matched hook is renamed to the sent name when
// it differs, so that the Deploy CLI, which matches by exact name, finds it
// afterwards; hooks of the target that the files do
// not describe are deleted only with PlanOptions.AllowDelete. Secrets are
// handled as the Deploy CLI handled them: a name the target lacks is added,
// a value other than store.HiddenSecretValue replaces the target's value,
// and a name the files lack is deleted.
//
// # Exporting
//
// Export reads a target's hooks with their secrets' names, every value
// store.HiddenSecretValue, and WriteDirectory or WriteYAML writes them.
// Importing an export into the target it came from changes nothing (but
// the renaming of hooks whose names had capitals or spaces), and into
// an empty one gives the same hooks back, their secrets holding the
// placeholder: secret values never leave a target.
//
// # Concurrency
//
// The functions of this package may be called concurrently on different
// files; a Plan must not be applied twice at once. Apply is not one
// transaction: it stops at the first failure of the target, which only a
// target changed by someone else meanwhile, or failing, can cause.
package deploycli
