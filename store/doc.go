// Package store keeps hooks: Auth0's hook resource (name, script, trigger,
// enabled, dependencies) and its secrets, behind the Store interface.
//
// Two implementations come with it. SQLite is the default: one file,
// modernc.org/sqlite (pure Go, no cgo), WAL mode, a busy timeout, schema
// migrations recorded in the database, one transaction per change, and secret
// values encrypted at rest with AES-256-GCM under a key the caller provides
// (see Cipher, ParseKey, GenerateKey). Postgres keeps the same records in
// PostgreSQL (pgx), for several processes (replicas behind a load balancer)
// sharing their hooks: the database enforces every rule under concurrent
// writers, and Watch tells each process what the others changed (LISTEN/
// NOTIFY, plus a periodic check). Memory keeps everything in memory, for
// tests and for embedders that load hooks from elsewhere.
//
// # Rules every Store keeps
//
// Hook ids are 26-character sortable ids, as on Auth0. Names follow one
// rule (CheckName) and are stored and returned exactly as given; they are
// unique across all triggers under the key NormalizeName gives them, so
// "My Hook" and "my-hook" cannot both be used. (Auth0's API, and hookengine
// before schema version 2, stored the key itself: "audit-hook-v2" came back
// as "audit-hook-v-2". Opening such a database restores such names as far
// as they can be: see RestoreLegacyName and LegacyNameRenames.) A hook's trigger
// never changes. At most one hook per trigger is enabled: enabling a hook,
// by creating it enabled or by updating it, disables the hook of the same
// trigger that was enabled, in the same transaction, as Auth0's Dashboard
// and its CLI did. A hook has at most MaxSecrets secrets.
//
// Store methods return errors wrapping the package's sentinels (ErrNotFound,
// ErrNameTaken, ErrSecretExists, ErrSecretNotFound, ErrTooManySecrets,
// ErrInvalid, ErrClosed); test for them with errors.Is. Package storetest
// checks an implementation against these rules.
//
// # Secrets
//
// GetHook and EnabledHook return secret values, for the code that runs
// hooks; ListHooks and SecretNames never do. The Management API and the
// export never show a value either (see HiddenSecretValue). The SQLite store
// remembers which key encrypted its secrets and refuses another one
// (ErrWrongKey), so a wrong key fails at start rather than at the first run.
//
// # Concurrency
//
// Memory, SQLite and Postgres are safe for concurrent use. Several processes
// may use the same SQLite file at once: each change takes SQLite's write lock
// for its whole transaction, and every read sees the changes committed before
// it, whichever process made them. Processes on several machines share a
// PostgreSQL database instead: each change is a SERIALIZABLE transaction,
// tried again when it meets a concurrent one, and the unique constraint on
// names and the partial unique index on enabled hooks hold whoever writes.
package store
