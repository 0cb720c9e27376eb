// Package testenv finds the PostgreSQL and Redis services hookengine's
// tests use. Each test gets its own PostgreSQL schema or Redis key prefix,
// random and removed at cleanup, so tests of several packages (and several
// people) can share one server.
//
// The services are found through HOOKENGINE_POSTGRES_URL (default
// DefaultPostgresURL) and HOOKENGINE_REDIS_URL (default DefaultRedisURL).
// When a service does not answer, the test is skipped with a message saying
// how to run it, except when CI=true, where it fails.
package testenv
