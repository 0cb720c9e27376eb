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
	// rows, when set, runs after the statements, in the same transaction:
	// a step on the data that SQL alone does not express.
	rows func(ctx context.Context, tx *sql.Tx, now time.Time, out *migrationOutput) error
}

// migrationOutput is what the data steps of a migration report.
type migrationOutput struct {
	// renames are the hook names restored (restoreLegacyNames).
	renames []NameRename
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
	{
		version: 2,
		name:    "names kept as sent, unique by key; legacy names restored",
		statements: []string{
			`ALTER TABLE hooks ADD COLUMN name_key TEXT NOT NULL DEFAULT ''`,
			// Which names the migration restored, for the operator.
			`CREATE TABLE name_migrations (
				hook_id    TEXT NOT NULL,
				old_name   TEXT NOT NULL,
				new_name   TEXT NOT NULL,
				applied_at INTEGER NOT NULL
			)`,
		},
		rows: restoreLegacyNames,
	},
	{
		version:    3,
		name:       "unique name keys",
		statements: []string{`CREATE UNIQUE INDEX hooks_name_key ON hooks (name_key)`},
	},
}

// restoreLegacyNames applies LegacyNameRenames to the hooks, records each
// rename in name_migrations, and fills name_key.
func restoreLegacyNames(ctx context.Context, tx *sql.Tx, now time.Time, out *migrationOutput) error {
	rows, err := tx.QueryContext(ctx, `SELECT id, name FROM hooks`)
	if err != nil {
		return err
	}
	names := map[string]string{}
	for rows.Next() {
		var id, name string
		if err := rows.Scan(&id, &name); err != nil {
			rows.Close()
			return err
		}
		names[id] = name
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, r := range LegacyNameRenames(names) {
		if _, err := tx.ExecContext(ctx, `UPDATE hooks SET name = ? WHERE id = ?`, r.To, r.ID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO name_migrations (hook_id, old_name, new_name, applied_at) VALUES (?, ?, ?, ?)`,
			r.ID, r.From, r.To, now.UnixMicro()); err != nil {
			return err
		}
		names[r.ID] = r.To
		out.renames = append(out.renames, r)
	}
	for id, name := range names {
		if _, err := tx.ExecContext(ctx, `UPDATE hooks SET name_key = ? WHERE id = ?`, NormalizeName(name), id); err != nil {
			return err
		}
	}
	return nil
}

// migrate brings the schema up to date in one transaction, recording each
// step in schema_migrations. Processes opening the same database at once
// take turns: the transaction holds SQLite's write lock from its start.
func migrate(ctx context.Context, db *sql.DB, now time.Time, out *migrationOutput) (err error) {
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
		if m.rows != nil {
			if err := m.rows(ctx, tx, now, out); err != nil {
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
