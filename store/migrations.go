package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// ErrSchemaTooNew reports a database written by a newer hookengine, whose
// schema this one does not know.
var ErrSchemaTooNew = errors.New("store: the database schema is newer than this program")

// A migration moves the schema from version-1 to version. Migrations are
// only ever appended: a released one never changes.
type migration struct {
	version    int
	name       string
	statements []string
}

// migrations are the SQLite schema's history, oldest first. PostgreSQL has
// its own list, postgresMigrations: a change to the schema appends one
// migration to each.
var migrations = []migration{
	{
		version: 1,
		name:    "hooks, secrets and metadata",
		statements: []string{
			`CREATE TABLE hooks (
				id           TEXT PRIMARY KEY,
				name         TEXT NOT NULL UNIQUE,
				script       TEXT NOT NULL,
				trigger_id   TEXT NOT NULL,
				enabled      INTEGER NOT NULL DEFAULT 0 CHECK (enabled IN (0, 1)),
				dependencies TEXT NOT NULL DEFAULT '{}',
				created_at   INTEGER NOT NULL,
				updated_at   INTEGER NOT NULL,
				version      INTEGER NOT NULL DEFAULT 1
			)`,
			// The database itself guarantees one enabled hook per trigger.
			`CREATE UNIQUE INDEX hooks_one_enabled_per_trigger ON hooks (trigger_id) WHERE enabled = 1`,
			`CREATE TABLE hook_secrets (
				hook_id TEXT NOT NULL REFERENCES hooks (id) ON DELETE CASCADE,
				name    TEXT NOT NULL,
				value   BLOB NOT NULL,
				PRIMARY KEY (hook_id, name)
			)`,
			`CREATE TABLE meta (
				key   TEXT PRIMARY KEY,
				value BLOB NOT NULL
			)`,
		},
	},
}

// migrate brings the schema up to date in one transaction, recording each
// step in schema_migrations. Processes opening the same database at once
// take turns: the transaction holds SQLite's write lock from its start.
func migrate(ctx context.Context, db *sql.DB, now time.Time) (err error) {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: migrating the schema: %w", err)
	}
	defer func() {
		if err != nil {
			_ = tx.Rollback()
		}
	}()
	if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    INTEGER PRIMARY KEY,
		name       TEXT NOT NULL,
		applied_at INTEGER NOT NULL
	)`); err != nil {
		return fmt.Errorf("store: creating schema_migrations: %w", err)
	}
	var current int
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&current); err != nil {
		return fmt.Errorf("store: reading the schema version: %w", err)
	}
	todo, err := pending(migrations, current)
	if err != nil {
		return err
	}
	for _, m := range todo {
		for _, stmt := range m.statements {
			if _, err := tx.ExecContext(ctx, stmt); err != nil {
				return fmt.Errorf("store: migration %d (%s): %w", m.version, m.name, err)
			}
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`,
			m.version, m.name, now.UnixMicro()); err != nil {
			return fmt.Errorf("store: recording migration %d: %w", m.version, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store: migrating the schema: %w", err)
	}
	return nil
}

// pending returns the migrations of list that come after version current,
// in order, or an error wrapping ErrSchemaTooNew when current is past the
// last one.
func pending(list []migration, current int) ([]migration, error) {
	if latest := list[len(list)-1].version; current > latest {
		return nil, fmt.Errorf("%w: version %d, this program knows up to %d", ErrSchemaTooNew, current, latest)
	}
	var out []migration
	for i, m := range list {
		if m.version != i+1 {
			// A programming error the tests catch: versions are 1, 2, 3...
			panic(fmt.Sprintf("store: migration %d has version %d", i+1, m.version))
		}
		if m.version > current {
			out = append(out, m)
		}
	}
	return out, nil
}
