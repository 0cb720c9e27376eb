package testenv

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// Environment variables the tests read.
const (
	EnvPostgresURL = "HOOKENGINE_POSTGRES_URL"
	EnvRedisURL    = "HOOKENGINE_REDIS_URL"
)

// Defaults of the services' addresses: this project's machines run both
// locally.
const (
	DefaultPostgresURL = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
	DefaultRedisURL    = "redis://127.0.0.1:6379/0"
)

// PostgresURL returns the URL of the test PostgreSQL server, or skips t
// (fails it when CI=true) when the server does not accept connections.
func PostgresURL(t testing.TB) string {
	t.Helper()
	return service(t, EnvPostgresURL, DefaultPostgresURL, "5432", "PostgreSQL")
}

// RedisURL returns the URL of the test Redis server, or skips t (fails it
// when CI=true) when the server does not accept connections.
func RedisURL(t testing.TB) string {
	t.Helper()
	return service(t, EnvRedisURL, DefaultRedisURL, "6379", "Redis")
}

func service(t testing.TB, env, def, port, what string) string {
	t.Helper()
	u := os.Getenv(env)
	if u == "" {
		u = def
	}
	parsed, err := url.Parse(u)
	if err != nil {
		t.Fatalf("$%s: %v", env, err)
	}
	host := parsed.Host
	if parsed.Port() == "" {
		host = net.JoinHostPort(parsed.Hostname(), port)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	conn, err := (&net.Dialer{}).DialContext(ctx, "tcp", host)
	if err != nil {
		msg := what + " is not reachable at " + host + " (" + err.Error() + "); start it, or set $" + env + " to its URL, to run this test"
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	conn.Close()
	return u
}

// Name returns a random name for a test's schema or key prefix: prefix,
// an underscore and 16 hexadecimal digits.
func Name(prefix string) string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return prefix + "_" + hex.EncodeToString(b)
}

// PostgresSchema returns the URL of the test PostgreSQL server and a new
// schema name for one test; the schema, with everything in it, is dropped
// when the test ends. The schema itself is not created.
func PostgresSchema(t testing.TB) (pgURL, schema string) {
	t.Helper()
	pgURL = PostgresURL(t)
	schema = Name("hookengine_test")
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, pgURL)
		if err != nil {
			t.Errorf("dropping schema %s: %v", schema, err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, `DROP SCHEMA IF EXISTS `+pgx.Identifier{schema}.Sanitize()+` CASCADE`); err != nil {
			t.Errorf("dropping schema %s: %v", schema, err)
		}
	})
	return pgURL, schema
}

// ClosedAddr returns a local TCP address nothing listens on: a connection
// to it is refused.
func ClosedAddr(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// HangupServer returns a local HTTP server that closes every connection
// without answering, closed when t ends.
func HangupServer(t testing.TB) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if conn, _, err := w.(http.Hijacker).Hijack(); err == nil {
			conn.Close()
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}
