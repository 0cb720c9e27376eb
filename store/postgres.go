package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/hookengine/hookengine/internal/ulid"
	"github.com/hookengine/hookengine/triggers"
)

// Defaults of PostgresOptions.
const (
	// DefaultPostgresMaxConns bounds the connections of one process.
	DefaultPostgresMaxConns = 8
	// DefaultPollInterval is how often Watch compares the hooks' versions
	// with those it saw last, in case a notification was missed.
	DefaultPollInterval = 5 * time.Second
)

// maxWriteAttempts bounds how often a change that met a concurrent one
// (a serialization failure) is tried again.
const maxWriteAttempts = 40

// PostgresOptions configure OpenPostgres.
type PostgresOptions struct {
	// Cipher encrypts secret values, as for SQLite. Required. The first
	// Cipher used with a schema is remembered: opening it with another key
	// fails with ErrWrongKey.
	Cipher *Cipher
	// Schema is the PostgreSQL schema of the tables, created if needed; it
	// is made of letters, digits and underscores. Default: the
	// connection's search_path (normally "public").
	Schema string
	// MaxConns bounds the connections of this process. Default
	// DefaultPostgresMaxConns.
	MaxConns int32
	// PollInterval is how often Watch checks the hooks' versions besides
	// listening for notifications. Default DefaultPollInterval.
	PollInterval time.Duration
}

// Postgres is a Store in a PostgreSQL database (through pgx), for several
// processes sharing their hooks: replicas of a server behind a load
// balancer. The database enforces every rule itself, whoever writes: names
// are unique (a unique constraint), at most one hook per trigger is enabled
// (a partial unique index), and every change is one SERIALIZABLE
// transaction, tried again when it meets a concurrent one, so two enables
// through two processes leave exactly one hook enabled and two concurrent
// patches of one hook both apply, one after the other. The schema is
// migrated when the store is opened (the migrations are recorded in
// schema_migrations, and processes starting together take turns), and
// secret values are sealed with the same Cipher as SQLite's.
//
// Every change to a hook is announced on PostgreSQL's notification channel
// hookengine_hooks by a trigger of the table; Watch listens to it.
//
// A Postgres is safe for concurrent use.
type Postgres struct {
	pool         *pgxpool.Pool
	cipher       *Cipher
	schema       string
	pollInterval time.Duration
	now          func() time.Time
	ids          ulid.Generator

	life   context.Context // ends at Close, which ends Watch
	end    context.CancelFunc
	closed atomic.Bool
	once   sync.Once
}

var _ Store = (*Postgres)(nil)

var schemaPattern = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]{0,62}$`)

// OpenPostgres connects to the database at url (a PostgreSQL URL or
// key=value connection string, as pgx reads it), creates the schema if
// asked for, and migrates it.
func OpenPostgres(ctx context.Context, url string, opts PostgresOptions) (*Postgres, error) {
	if opts.Cipher == nil {
		return nil, ErrNoKey
	}
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("store: PostgreSQL connection string: %w", err)
	}
	if opts.Schema != "" {
		if !schemaPattern.MatchString(opts.Schema) {
			return nil, fmt.Errorf("store: PostgreSQL schema %q: use letters, digits and underscores", opts.Schema)
		}
		cfg.ConnConfig.RuntimeParams["search_path"] = opts.Schema
	}
	if opts.MaxConns <= 0 {
		opts.MaxConns = DefaultPostgresMaxConns
	}
	cfg.MaxConns = opts.MaxConns
	if opts.PollInterval <= 0 {
		opts.PollInterval = DefaultPollInterval
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("store: connecting to PostgreSQL: %w", err)
	}
	life, end := context.WithCancel(context.Background())
	s := &Postgres{pool: pool, cipher: opts.Cipher, pollInterval: opts.PollInterval, now: time.Now, life: life, end: end}
	if err := s.init(ctx, opts.Schema); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// init creates the schema, migrates it and checks (or records) the key.
func (s *Postgres) init(ctx context.Context, schema string) error {
	if schema != "" {
		if _, err := s.pool.Exec(ctx, `CREATE SCHEMA IF NOT EXISTS `+pgx.Identifier{schema}.Sanitize()); err != nil &&
			!isCode(err, "23505") && !isCode(err, "42P06") { // two processes creating it at once
			return fmt.Errorf("store: creating schema %s: %w", schema, err)
		}
	}
	if err := s.pool.QueryRow(ctx, `SELECT current_schema()`).Scan(&s.schema); err != nil {
		return fmt.Errorf("store: PostgreSQL: %w", err)
	}
	if err := migratePostgres(ctx, s.pool, s.now()); err != nil {
		return err
	}
	return s.write(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING`,
			keyCheckName, s.cipher.Seal([]byte(keyCheckName), []byte(keyCheckName))); err != nil {
			return err
		}
		var check []byte
		if err := tx.QueryRow(ctx, `SELECT value FROM meta WHERE key = $1`, keyCheckName).Scan(&check); err != nil {
			return err
		}
		if _, err := s.cipher.Open(check, []byte(keyCheckName)); err != nil {
			return ErrWrongKey
		}
		return nil
	})
}

// Schema returns the PostgreSQL schema the store's tables are in.
func (s *Postgres) Schema() string { return s.schema }

// Close closes the store's connections and ends Watch. Calling it again is
// harmless.
func (s *Postgres) Close() error {
	s.once.Do(func() {
		s.closed.Store(true)
		s.end()
		s.pool.Close()
	})
	return nil
}

// write runs fn in a SERIALIZABLE transaction and commits it, trying again
// (with a short random pause) when PostgreSQL reports a serialization
// failure or a deadlock, or when a concurrent enable took the trigger's
// one enabled slot first.
func (s *Postgres) write(ctx context.Context, fn func(tx pgx.Tx) error) error {
	if s.closed.Load() {
		return ErrClosed
	}
	for attempt := 1; ; attempt++ {
		err := pgx.BeginTxFunc(ctx, s.pool, pgx.TxOptions{IsoLevel: pgx.Serializable}, fn)
		if err == nil || !retryable(err) || attempt == maxWriteAttempts {
			return s.dbErr(err)
		}
		pause := time.Duration(rand.N(min(1<<attempt, 64))+1) * time.Millisecond
		t := time.NewTimer(pause)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
	}
}

// retryable reports the errors of a transaction that met a concurrent one.
func retryable(err error) bool {
	var pe *pgconn.PgError
	if !errors.As(err, &pe) {
		return false
	}
	switch pe.Code {
	case "40001", "40P01": // serialization_failure, deadlock_detected
		return true
	case "23505": // unique_violation
		return pe.ConstraintName == "hooks_one_enabled_per_trigger"
	}
	return false
}

func isCode(err error, code string) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == code
}

// dbErr maps the database's errors to the store's: a unique name taken by a
// concurrent writer to ErrNameTaken, anything after Close to ErrClosed.
func (s *Postgres) dbErr(err error) error {
	if err == nil {
		return nil
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pe.Code == "23505" && pe.ConstraintName == "hooks_name_key" {
		return fmt.Errorf("%w (%s)", ErrNameTaken, pe.Detail)
	}
	if s.closed.Load() {
		return fmt.Errorf("%w (%v)", ErrClosed, err)
	}
	return err
}

const pgHookColumns = `h.id, h.name, h.script, h.trigger_id, h.enabled, h.dependencies, h.created_at, h.updated_at, h.version`

// queryHookWithSecrets reads a hook and its secrets in one statement (one
// snapshot); it returns nil when no row matches.
func (s *Postgres) queryHookWithSecrets(ctx context.Context, where string, args ...any) (*Hook, error) {
	if s.closed.Load() {
		return nil, ErrClosed
	}
	rows, err := s.pool.Query(ctx, `SELECT `+pgHookColumns+`, s.name, s.value
		FROM hooks h LEFT JOIN hook_secrets s ON s.hook_id = h.id WHERE `+where+` ORDER BY s.name`, args...)
	if err != nil {
		return nil, s.dbErr(err)
	}
	defer rows.Close()
	var h *Hook
	for rows.Next() {
		var (
			name  *string
			value []byte
		)
		row, err := scanHook(rows, &name, &value)
		if err != nil {
			return nil, s.dbErr(err)
		}
		if h == nil {
			h = row
			h.Secrets = map[string]string{}
		}
		if name != nil {
			plain, err := s.cipher.Open(value, secretAD(h.ID, *name))
			if err != nil {
				return nil, fmt.Errorf("store: cannot decrypt secret %q of hook %s: %w", *name, h.ID, err)
			}
			h.Secrets[*name] = string(plain)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, s.dbErr(err)
	}
	return h, nil
}

// CreateHook implements Store.
func (s *Postgres) CreateHook(ctx context.Context, h *Hook) (*Hook, error) {
	in, err := checkHook(h)
	if err != nil {
		return nil, err
	}
	deps, err := json.Marshal(in.Dependencies)
	if err != nil {
		return nil, err
	}
	var out *Hook
	err = s.write(ctx, func(tx pgx.Tx) error {
		c := in.Clone() // each attempt starts afresh
		if err := pgNameFree(ctx, tx, c.Name, ""); err != nil {
			return err
		}
		now := s.now().UTC().Truncate(time.Microsecond)
		c.ID = s.ids.New(now)
		c.CreatedAt, c.UpdatedAt, c.Version = now, now, 1
		if c.Enabled {
			if err := pgDisableOthers(ctx, tx, c.TriggerID, c.ID, now); err != nil {
				return err
			}
		}
		if _, err := tx.Exec(ctx, `INSERT INTO hooks (id, name, name_key, script, trigger_id, enabled, dependencies, created_at, updated_at, version)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8, 1)`,
			c.ID, c.Name, NormalizeName(c.Name), c.Script, string(c.TriggerID), c.Enabled, string(deps), now.UnixMicro()); err != nil {
			return err
		}
		if err := s.insertSecrets(ctx, tx, c.ID, c.Secrets); err != nil {
			return err
		}
		out = c
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// GetHook implements Store.
func (s *Postgres) GetHook(ctx context.Context, id string) (*Hook, error) {
	h, err := s.queryHookWithSecrets(ctx, `h.id = $1`, id)
	if err != nil {
		return nil, err
	}
	if h == nil {
		return nil, notFound(id)
	}
	return h, nil
}

// EnabledHook implements Store.
func (s *Postgres) EnabledHook(ctx context.Context, t triggers.ID) (*Hook, error) {
	h, err := s.queryHookWithSecrets(ctx, `h.trigger_id = $1 AND h.enabled`, string(t))
	if err != nil {
		return nil, err
	}
	if h == nil {
		return nil, fmt.Errorf("%w: no hook enabled for %q", ErrNotFound, t)
	}
	return h, nil
}

// ListHooks implements Store.
func (s *Postgres) ListHooks(ctx context.Context, opts ListOptions) (*HookList, error) {
	if s.closed.Load() {
		return nil, ErrClosed
	}
	var (
		where []string
		args  []any
	)
	if opts.TriggerID != "" {
		args = append(args, string(opts.TriggerID))
		where = append(where, fmt.Sprintf("h.trigger_id = $%d", len(args)))
	}
	if opts.Enabled != nil {
		args = append(args, *opts.Enabled)
		where = append(where, fmt.Sprintf("h.enabled = $%d", len(args)))
	}
	cond := ""
	if len(where) > 0 {
		cond = " WHERE " + strings.Join(where, " AND ")
	}
	var limit *int // NULL: no limit
	if opts.Limit > 0 {
		limit = &opts.Limit
	}
	// The rows and the total from one snapshot.
	tx, err := s.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return nil, s.dbErr(err)
	}
	defer func() { _ = tx.Rollback(context.WithoutCancel(ctx)) }()
	list := &HookList{Hooks: []*Hook{}}
	if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM hooks h`+cond, args...).Scan(&list.Total); err != nil {
		return nil, s.dbErr(err)
	}
	rows, err := tx.Query(ctx, fmt.Sprintf(`SELECT `+pgHookColumns+` FROM hooks h%s ORDER BY h.id LIMIT $%d OFFSET $%d`,
		cond, len(args)+1, len(args)+2), append(args, limit, max(opts.Offset, 0))...)
	if err != nil {
		return nil, s.dbErr(err)
	}
	defer rows.Close()
	for rows.Next() {
		h, err := scanHook(rows)
		if err != nil {
			return nil, s.dbErr(err)
		}
		list.Hooks = append(list.Hooks, h)
	}
	if err := rows.Err(); err != nil {
		return nil, s.dbErr(err)
	}
	return list, nil
}

// UpdateHook implements Store.
func (s *Postgres) UpdateHook(ctx context.Context, id string, p HookPatch) (*Hook, error) {
	p, err := checkPatch(p)
	if err != nil {
		return nil, err
	}
	var out *Hook
	err = s.write(ctx, func(tx pgx.Tx) error {
		// The row stays locked until the end: a concurrent patch waits,
		// then fails to serialize and is tried again on this one's result.
		h, err := scanHook(tx.QueryRow(ctx, `SELECT `+pgHookColumns+` FROM hooks h WHERE h.id = $1 FOR UPDATE`, id))
		if errors.Is(err, pgx.ErrNoRows) {
			return notFound(id)
		}
		if err != nil {
			return err
		}
		now := s.now().UTC().Truncate(time.Microsecond)
		if p.Name != nil {
			if err := pgNameFree(ctx, tx, *p.Name, id); err != nil {
				return err
			}
		}
		if p.applyTo(h) {
			if err := pgDisableOthers(ctx, tx, h.TriggerID, id, now); err != nil {
				return err
			}
		}
		deps, err := json.Marshal(h.Dependencies)
		if err != nil {
			return err
		}
		h.UpdatedAt = now
		h.Version++
		if _, err := tx.Exec(ctx, `UPDATE hooks SET name = $1, name_key = $2, script = $3, enabled = $4, dependencies = $5, updated_at = $6, version = $7
			WHERE id = $8`, h.Name, NormalizeName(h.Name), h.Script, h.Enabled, string(deps), now.UnixMicro(), h.Version, id); err != nil {
			return err
		}
		if h.Secrets, err = s.readSecrets(ctx, tx, id); err != nil {
			return err
		}
		out = h
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// DeleteHook implements Store.
func (s *Postgres) DeleteHook(ctx context.Context, id string) error {
	return s.write(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `DELETE FROM hooks WHERE id = $1`, id) // secrets go with it (ON DELETE CASCADE)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return notFound(id)
		}
		return nil
	})
}

// SecretNames implements Store.
func (s *Postgres) SecretNames(ctx context.Context, id string) ([]string, error) {
	if s.closed.Load() {
		return nil, ErrClosed
	}
	rows, err := s.pool.Query(ctx, `SELECT s.name FROM hooks h LEFT JOIN hook_secrets s ON s.hook_id = h.id
		WHERE h.id = $1 ORDER BY s.name`, id)
	if err != nil {
		return nil, s.dbErr(err)
	}
	defer rows.Close()
	found := false
	names := []string{}
	for rows.Next() {
		var n *string
		if err := rows.Scan(&n); err != nil {
			return nil, s.dbErr(err)
		}
		found = true
		if n != nil {
			names = append(names, *n)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, s.dbErr(err)
	}
	if !found {
		return nil, notFound(id)
	}
	return names, nil
}

// AddSecrets implements Store.
func (s *Postgres) AddSecrets(ctx context.Context, id string, secrets map[string]string) error {
	if err := checkSecretNames(slices.Collect(maps.Keys(secrets))); err != nil {
		return err
	}
	return s.write(ctx, func(tx pgx.Tx) error {
		have, err := pgSecretNames(ctx, tx, id)
		if err != nil {
			return err
		}
		for _, name := range slices.Sorted(maps.Keys(secrets)) {
			if slices.Contains(have, name) {
				return fmt.Errorf("%w: %q", ErrSecretExists, name)
			}
		}
		if n := len(have) + len(secrets); n > MaxSecrets {
			return fmt.Errorf("%w: the hook would have %d", ErrTooManySecrets, n)
		}
		if err := s.insertSecrets(ctx, tx, id, secrets); err != nil {
			return err
		}
		return s.touch(ctx, tx, id)
	})
}

// UpdateSecrets implements Store.
func (s *Postgres) UpdateSecrets(ctx context.Context, id string, secrets map[string]string) error {
	return s.write(ctx, func(tx pgx.Tx) error {
		have, err := pgSecretNames(ctx, tx, id)
		if err != nil {
			return err
		}
		for _, name := range slices.Sorted(maps.Keys(secrets)) {
			if !slices.Contains(have, name) {
				return fmt.Errorf("%w: %q", ErrSecretNotFound, name)
			}
			if _, err := tx.Exec(ctx, `UPDATE hook_secrets SET value = $1 WHERE hook_id = $2 AND name = $3`,
				s.cipher.Seal([]byte(secrets[name]), secretAD(id, name)), id, name); err != nil {
				return err
			}
		}
		return s.touch(ctx, tx, id)
	})
}

// DeleteSecrets implements Store.
func (s *Postgres) DeleteSecrets(ctx context.Context, id string, names []string) error {
	return s.write(ctx, func(tx pgx.Tx) error {
		if _, err := pgSecretNames(ctx, tx, id); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM hook_secrets WHERE hook_id = $1 AND name = ANY($2)`, id, names); err != nil {
			return err
		}
		return s.touch(ctx, tx, id)
	})
}

func (s *Postgres) insertSecrets(ctx context.Context, tx pgx.Tx, id string, secrets map[string]string) error {
	for _, name := range slices.Sorted(maps.Keys(secrets)) {
		if _, err := tx.Exec(ctx, `INSERT INTO hook_secrets (hook_id, name, value) VALUES ($1, $2, $3)`,
			id, name, s.cipher.Seal([]byte(secrets[name]), secretAD(id, name))); err != nil {
			return err
		}
	}
	return nil
}

func (s *Postgres) readSecrets(ctx context.Context, tx pgx.Tx, id string) (map[string]string, error) {
	rows, err := tx.Query(ctx, `SELECT name, value FROM hook_secrets WHERE hook_id = $1`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	secrets := map[string]string{}
	for rows.Next() {
		var (
			name  string
			value []byte
		)
		if err := rows.Scan(&name, &value); err != nil {
			return nil, err
		}
		plain, err := s.cipher.Open(value, secretAD(id, name))
		if err != nil {
			return nil, fmt.Errorf("store: cannot decrypt secret %q of hook %s: %w", name, id, err)
		}
		secrets[name] = string(plain)
	}
	return secrets, rows.Err()
}

// touch records a change to the hook's secrets on the hook (which also
// notifies the other processes).
func (s *Postgres) touch(ctx context.Context, tx pgx.Tx, id string) error {
	_, err := tx.Exec(ctx, `UPDATE hooks SET updated_at = $1, version = version + 1 WHERE id = $2`,
		s.now().UTC().UnixMicro(), id)
	return err
}

// pgSecretNames returns the names of the hook's secrets, locking the hook's
// row, or an error wrapping ErrNotFound when the hook does not exist.
func pgSecretNames(ctx context.Context, tx pgx.Tx, id string) ([]string, error) {
	var one int
	if err := tx.QueryRow(ctx, `SELECT 1 FROM hooks WHERE id = $1 FOR UPDATE`, id).Scan(&one); errors.Is(err, pgx.ErrNoRows) {
		return nil, notFound(id)
	} else if err != nil {
		return nil, err
	}
	rows, err := tx.Query(ctx, `SELECT name FROM hook_secrets WHERE hook_id = $1`, id)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowTo[string])
}

// pgNameFree fails with ErrNameTaken when a hook other than except has a
// name with the same key (NormalizeName). The unique constraint on name_key
// is the guarantee; this gives the error first, naming the other hook.
func pgNameFree(ctx context.Context, tx pgx.Tx, name, except string) error {
	var other, id string
	err := tx.QueryRow(ctx, `SELECT name, id FROM hooks WHERE name_key = $1 AND id <> $2`, NormalizeName(name), except).Scan(&other, &id)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return nil
	case err != nil:
		return err
	}
	return nameTaken(name, other, id)
}

// pgDisableOthers disables the enabled hook of trigger t other than except.
func pgDisableOthers(ctx context.Context, tx pgx.Tx, t triggers.ID, except string, now time.Time) error {
	_, err := tx.Exec(ctx, `UPDATE hooks SET enabled = FALSE, updated_at = $1, version = version + 1
		WHERE trigger_id = $2 AND enabled AND id <> $3`, now.UnixMicro(), string(t), except)
	return err
}
