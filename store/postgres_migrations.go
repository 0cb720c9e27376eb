package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// postgresMigrations are the PostgreSQL schema's history, oldest first. As
// with SQLite's, a migration is only ever appended: a released one never
// changes.
var postgresMigrations = []migration{
	{
		version: 1,
		name:    "hooks, secrets, metadata and change notifications",
		statements: []string{
			`CREATE TABLE hooks (
				id           TEXT PRIMARY KEY,
				name         TEXT NOT NULL,
				-- NormalizeName(name): names are unique under it.
				name_key     TEXT NOT NULL CONSTRAINT hooks_name_key UNIQUE,
				script       TEXT NOT NULL,
				trigger_id   TEXT NOT NULL,
				enabled      BOOLEAN NOT NULL DEFAULT FALSE,
				dependencies TEXT NOT NULL DEFAULT '{}',
				created_at   BIGINT NOT NULL,
				updated_at   BIGINT NOT NULL,
				version      BIGINT NOT NULL DEFAULT 1
			)`,
			// The database itself guarantees one enabled hook per trigger,
			// whichever process writes.
			`CREATE UNIQUE INDEX hooks_one_enabled_per_trigger ON hooks (trigger_id) WHERE enabled`,
			`CREATE TABLE hook_secrets (
				hook_id TEXT NOT NULL REFERENCES hooks (id) ON DELETE CASCADE,
				name    TEXT NOT NULL,
				value   BYTEA NOT NULL,
				PRIMARY KEY (hook_id, name)
			)`,
			`CREATE TABLE meta (
				key   TEXT PRIMARY KEY,
				value BYTEA NOT NULL
			)`,
			// Every change to a hook row (a change to its secrets touches
			// it too) notifies the listeners of every process, whatever
			// wrote it: the payload is the schema and the hook's id.
			`CREATE FUNCTION hooks_notify_change() RETURNS trigger LANGUAGE plpgsql AS $$
			BEGIN
				IF TG_OP = 'DELETE' THEN
					PERFORM pg_notify('` + notifyChannel + `', TG_TABLE_SCHEMA || '/' || OLD.id);
				ELSE
					PERFORM pg_notify('` + notifyChannel + `', TG_TABLE_SCHEMA || '/' || NEW.id);
				END IF;
				RETURN NULL;
			END $$`,
			`CREATE TRIGGER hooks_notify_change AFTER INSERT OR UPDATE OR DELETE ON hooks
				FOR EACH ROW EXECUTE FUNCTION hooks_notify_change()`,
		},
	},
}

// notifyChannel is the PostgreSQL notification channel of hook changes.
const notifyChannel = "hookengine_hooks"

// migratePostgres brings the schema up to date in one transaction,
// recording each step in schema_migrations. Processes starting at once
// take turns on an advisory lock of the schema.
func migratePostgres(ctx context.Context, conn interface {
	Begin(context.Context) (pgx.Tx, error)
}, now time.Time) (err error) {
	tx, err := conn.Begin(ctx)
	if err != nil {
		return fmt.Errorf("store: migrating the schema: %w", err)
	}
	defer func() {
		if err != nil {
			_ = tx.Rollback(context.WithoutCancel(ctx))
		}
	}()
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtext('hookengine migrations ' || current_schema()))`); err != nil {
		return fmt.Errorf("store: locking the schema for migrations: %w", err)
	}
	if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    INTEGER PRIMARY KEY,
		name       TEXT NOT NULL,
		applied_at BIGINT NOT NULL
	)`); err != nil {
		return fmt.Errorf("store: creating schema_migrations: %w", err)
	}
	var current int
	if err := tx.QueryRow(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&current); err != nil {
		return fmt.Errorf("store: reading the schema version: %w", err)
	}
	todo, err := pending(postgresMigrations, current)
	if err != nil {
		return err
	}
	for _, m := range todo {
		for _, stmt := range m.statements {
			if _, err := tx.Exec(ctx, stmt); err != nil {
				return fmt.Errorf("store: migration %d (%s): %w", m.version, m.name, err)
			}
		}
		if _, err := tx.Exec(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)`,
			m.version, m.name, now.UnixMicro()); err != nil {
			return fmt.Errorf("store: recording migration %d: %w", m.version, err)
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("store: migrating the schema: %w", err)
	}
	return nil
}
