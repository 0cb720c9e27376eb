// Package server assembles what "hooks serve" runs: a store (SQLite in a
// data directory, or PostgreSQL shared by several replicas, whose changes
// each replica watches to drop its caches), an engine (its fetch budgets
// optionally shared through Redis, its metrics served on a listener of
// their own, its spans exported over OTLP), the Management API handler with the hookengine
// endpoints (run, compile check, log stream), the Hooks page (package
// dashboard, at /dashboard/; GET / leads there), and an http.Server with
// timeouts and a graceful shutdown.
// Embedders that want the same server in their own program use New and
// Serve; those that only want a piece use OpenStore (the store, with the
// secrets key resolved) or Authenticator (tokens from the configuration).
//
//	srv, err := server.New(ctx, cfg, logger, os.Stdout)
//	if err != nil { ... }
//	ln, err := srv.Listen()
//	if err != nil { ... }
//	err = srv.Serve(ctx, ln) // until ctx is cancelled, then a graceful shutdown
//
// # Secrets key and development mode
//
// Hook secrets are encrypted at rest with a 32-byte key: Config.SecretsKey,
// else the file Config.SecretsKeyFile, else $HOOKENGINE_SECRETS_KEY. Without
// a key the server refuses to start (ErrNoSecretsKey), unless Config.Dev is
// set: development mode generates a key and keeps it in the data directory
// (DevKeyFile), which protects nothing against anyone who can read that
// directory, and logs a warning saying so at every start.
//
// # Tokens
//
// Config.Tokens (static tokens, or their SHA-256 digests, with scopes),
// Config.JWT (HS256 or RS256 access tokens for an audience) and
// $HOOKENGINE_TOKEN (a token with every scope) are accepted together. With
// none of them, a development token with every scope is made on first
// start and written once to the announce writer; only its digest is kept
// (DevTokenFile), so it is never shown again: delete the file for a new one.
//
// # HTTPS and client credentials
//
// Config.TLS serves HTTPS (TLS 1.2 or later, HTTP/2 and HTTP/1.1) from a
// certificate and key file that are loaded again when they change, or, in
// development mode, from a self-signed certificate made for the listen
// address in the data directory (EnsureDevCertificate, DevCertificate).
// Config.OAuth serves TokenPath, the client-credentials grant as Auth0's
// Authentication API answers it, for the clients configured with the
// SHA-256 of their secrets, and JWKSPath; the tokens (RS256, key in
// SigningKeyFile, audience https://DOMAIN/api/v2/) are accepted beside
// the other tokens. See TokenIssuer.
//
// # What hooks may reach and spend
//
// Config.Network is the fetch policy of every run (hosts and networks that
// may be reached although they are loopback or private, requests per run,
// response size, response bytes per run); Config.HookLimits gives single
// hooks their own wall, CPU, memory and fetch limits. Only the
// configuration sets them.
//
// # The Hooks page and its real-time logs
//
// The page is static and holds no privilege: it calls the Management API
// with the token the user signs in with. Its logs panel reads the log
// stream, which the engine feeds: the engine's logger is teed into an
// mgmtapi.RunLogs, so every line it logs about a run (console output,
// errors, the end of the run) reaches the streams of that hook. Shutting
// down ends the streams first, so that they do not hold up the shutdown.
// In development mode, DevToken gives the token made at this start, for a
// sign-in link.
//
// # Concurrency
//
// A Server is safe for concurrent use; Serve is called once.
package server
