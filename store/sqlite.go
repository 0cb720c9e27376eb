package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	_ "modernc.org/sqlite" // the "sqlite" database/sql driver, pure Go

	"github.com/hookengine/hookengine/internal/ulid"
	"github.com/hookengine/hookengine/triggers"
)

// DefaultBusyTimeout is how long a write waits for another process holding
// the database's write lock before it fails.
const DefaultBusyTimeout = 5 * time.Second

// ErrNoKey reports OpenSQLite without a Cipher: secrets are encrypted at
// rest, so the SQLite store needs a key.
var ErrNoKey = errors.New("store: no secrets key: secrets are encrypted at rest and need one")

// SQLiteOptions configure OpenSQLite.
type SQLiteOptions struct {
	// Cipher encrypts secret values. Required. The first Cipher used with a
	// database is remembered (as a value it encrypted): opening the
	// database with another key fails with ErrWrongKey.
	Cipher *Cipher
	// BusyTimeout bounds the wait for another process's write lock.
	// Default DefaultBusyTimeout.
	BusyTimeout time.Duration
	// MaxOpenConns bounds the connections to the file. Default 8.
	MaxOpenConns int
}

// SQLite is a Store in one SQLite file (modernc.org/sqlite: pure Go, no cgo)
// in WAL mode, so readers never wait for the writer. Every change is one
// transaction that takes the write lock when it begins; changes made by
// other processes using the same file are seen by the next call. The schema
// is migrated when the file is opened, and each migration is recorded in the
// table schema_migrations. Secret values are encrypted with AES-256-GCM.
//
// An SQLite is safe for concurrent use, and several processes may use the
// same file at once.
type SQLite struct {
	db     *sql.DB
	cipher *Cipher
	now    func() time.Time
	ids    ulid.Generator

	// wmu serialises this process's writers, which would otherwise spin on
	// SQLite's busy handler; other processes are kept out by SQLite's lock.
	wmu    sync.Mutex
	closed atomic.Bool
	once   sync.Once

	// restored are the names this open's migration restored.
	restored []NameRename
}

var _ Store = (*SQLite)(nil)

// keyCheckName is the meta entry that remembers the database's key.
const keyCheckName = "secrets_key_check"

// OpenSQLite opens (creating it if needed) the database file at path and
// migrates its schema. The directory must exist.
func OpenSQLite(ctx context.Context, path string, opts SQLiteOptions) (*SQLite, error) {
	if opts.Cipher == nil {
		return nil, ErrNoKey
	}
	if path == "" || strings.ContainsAny(path, "?#") {
		return nil, fmt.Errorf("store: unusable database path %q", path)
	}
	if opts.BusyTimeout <= 0 {
		opts.BusyTimeout = DefaultBusyTimeout
	}
	if opts.MaxOpenConns <= 0 {
		opts.MaxOpenConns = 8
	}
	q := url.Values{}
	q.Set("_busy_timeout", fmt.Sprint(opts.BusyTimeout.Milliseconds()))
	q.Set("_journal_mode", "WAL")
	q.Set("_foreign_keys", "1")
	q.Set("_synchronous", "NORMAL")
	q.Set("_txlock", "immediate")
	db, err := sql.Open("sqlite", path+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("store: opening %s: %w", path, err)
	}
	db.SetMaxOpenConns(opts.MaxOpenConns)
	db.SetMaxIdleConns(opts.MaxOpenConns)
	s := &SQLite{db: db, cipher: opts.Cipher, now: time.Now}
	if err := s.init(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("%w (database %s)", err, path)
	}
	return s, nil
}

// init migrates the schema and checks (or records) the key.
func (s *SQLite) init(ctx context.Context) error {
	var out migrationOutput
	if err := migrate(ctx, s.db, s.now(), &out); err != nil {
		return err
	}
	s.restored = out.renames
	return s.write(ctx, func(tx *sql.Tx) error {
		var check []byte
		err := tx.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = ?`, keyCheckName).Scan(&check)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			_, err = tx.ExecContext(ctx, `INSERT INTO meta (key, value) VALUES (?, ?)`,
				keyCheckName, s.cipher.Seal([]byte(keyCheckName), []byte(keyCheckName)))
			return err
		case err != nil:
			return err
		}
		if _, err := s.cipher.Open(check, []byte(keyCheckName)); err != nil {
			return ErrWrongKey
		}
		return nil
	})
}

// RestoredNames returns the hook names that opening the database restored
// (see RestoreLegacyName): empty unless this open migrated a database
// written before schema version 2. Every rename is also kept in the table
// name_migrations.
func (s *SQLite) RestoredNames() []NameRename { return slices.Clone(s.restored) }

// Close closes the database. Calling it again is harmless.
func (s *SQLite) Close() error {
	var err error
	s.once.Do(func() {
		s.closed.Store(true)
		err = s.db.Close()
	})
	return err
}

// write runs fn in a transaction, which holds the write lock from its start
// (the connection string asks for BEGIN IMMEDIATE), and commits it when fn
// returns nil.
func (s *SQLite) write(ctx context.Context, fn func(tx *sql.Tx) error) (err error) {
	if s.closed.Load() {
		return ErrClosed
	}
	s.wmu.Lock()
	defer s.wmu.Unlock()
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return s.dbErr(err)
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return s.dbErr(err)
	}
	return s.dbErr(tx.Commit())
}

// dbErr turns the errors of a closed database into ErrClosed.
func (s *SQLite) dbErr(err error) error {
	if err != nil && s.closed.Load() {
		return fmt.Errorf("%w (%v)", ErrClosed, err)
	}
	return err
}

// hookColumns are the columns scanHook reads, in its order.
const hookColumns = `h.id, h.name, h.script, h.trigger_id, h.enabled, h.dependencies, h.created_at, h.updated_at, h.version`

type scanner interface{ Scan(dest ...any) error }

// scanHook reads hookColumns, then the extra destinations.
func scanHook(row scanner, extra ...any) (*Hook, error) {
	var (
		h        Hook
		trigger  string
		deps     string
		cre, upd int64
	)
	dest := append([]any{&h.ID, &h.Name, &h.Script, &trigger, &h.Enabled, &deps, &cre, &upd, &h.Version}, extra...)
	if err := row.Scan(dest...); err != nil {
		return nil, err
	}
	h.TriggerID = triggers.ID(trigger)
	h.CreatedAt, h.UpdatedAt = time.UnixMicro(cre).UTC(), time.UnixMicro(upd).UTC()
	if err := json.Unmarshal([]byte(deps), &h.Dependencies); err != nil {
		return nil, fmt.Errorf("store: hook %s: corrupt dependencies: %w", h.ID, err)
	}
	if h.Dependencies == nil {
		h.Dependencies = map[string]string{}
	}
	return &h, nil
}

// queryHookWithSecrets runs a query of hookColumns joined with the hook's
// secrets (s.name, s.value) in one statement, so the hook and its secrets
// are read from the same snapshot. It returns nil when no row matches.
func (s *SQLite) queryHookWithSecrets(ctx context.Context, where string, args ...any) (*Hook, error) {
	if s.closed.Load() {
		return nil, ErrClosed
	}
	rows, err := s.db.QueryContext(ctx, `SELECT `+hookColumns+`, s.name, s.value
		FROM hooks h LEFT JOIN hook_secrets s ON s.hook_id = h.id WHERE `+where+` ORDER BY s.name`, args...)
	if err != nil {
		return nil, s.dbErr(err)
	}
	defer rows.Close()
	var h *Hook
	for rows.Next() {
		var (
			name  sql.NullString
			value []byte
		)
		row, err := scanHook(rows, &name, &value)
		if err != nil {
			return nil, err
		}
		if h == nil {
			h = row
			h.Secrets = map[string]string{}
		}
		if name.Valid {
			plain, err := s.cipher.Open(value, secretAD(h.ID, name.String))
			if err != nil {
				return nil, fmt.Errorf("store: cannot decrypt secret %q of hook %s: %w", name.String, h.ID, err)
			}
			h.Secrets[name.String] = string(plain)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, s.dbErr(err)
	}
	return h, nil
}

// CreateHook implements Store.
func (s *SQLite) CreateHook(ctx context.Context, h *Hook) (*Hook, error) {
	c, err := checkHook(h)
	if err != nil {
		return nil, err
	}
	deps, err := json.Marshal(c.Dependencies)
	if err != nil {
		return nil, err
	}
	err = s.write(ctx, func(tx *sql.Tx) error {
		if err := nameFree(ctx, tx, c.Name, ""); err != nil {
			return err
		}
		now := s.now().UTC().Truncate(time.Microsecond)
		c.ID = s.ids.New(now)
		c.CreatedAt, c.UpdatedAt, c.Version = now, now, 1
		if c.Enabled {
			if err := disableOthers(ctx, tx, c.TriggerID, c.ID, now); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO hooks (id, name, name_key, script, trigger_id, enabled, dependencies, created_at, updated_at, version)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 1)`,
			c.ID, c.Name, NormalizeName(c.Name), c.Script, string(c.TriggerID), c.Enabled, string(deps), now.UnixMicro(), now.UnixMicro()); err != nil {
			return err
		}
		return s.insertSecrets(ctx, tx, c.ID, c.Secrets)
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

// GetHook implements Store.
func (s *SQLite) GetHook(ctx context.Context, id string) (*Hook, error) {
	h, err := s.queryHookWithSecrets(ctx, `h.id = ?`, id)
	if err != nil {
		return nil, err
	}
	if h == nil {
		return nil, notFound(id)
	}
	return h, nil
}

// EnabledHook implements Store.
func (s *SQLite) EnabledHook(ctx context.Context, t triggers.ID) (*Hook, error) {
	h, err := s.queryHookWithSecrets(ctx, `h.trigger_id = ? AND h.enabled = 1`, string(t))
	if err != nil {
		return nil, err
	}
	if h == nil {
		return nil, fmt.Errorf("%w: no hook enabled for %q", ErrNotFound, t)
	}
	return h, nil
}

// ListHooks implements Store.
func (s *SQLite) ListHooks(ctx context.Context, opts ListOptions) (*HookList, error) {
	if s.closed.Load() {
		return nil, ErrClosed
	}
	var (
		where []string
		args  []any
	)
	if opts.TriggerID != "" {
		where = append(where, "h.trigger_id = ?")
		args = append(args, string(opts.TriggerID))
	}
	if opts.Enabled != nil {
		where = append(where, "h.enabled = ?")
		args = append(args, *opts.Enabled)
	}
	cond := ""
	if len(where) > 0 {
		cond = " WHERE " + strings.Join(where, " AND ")
	}
	limit := opts.Limit
	if limit <= 0 {
		limit = -1 // SQLite: no limit
	}
	// The total comes with the rows, from the same snapshot.
	rows, err := s.db.QueryContext(ctx, `SELECT `+hookColumns+`, COUNT(*) OVER ()
		FROM hooks h`+cond+` ORDER BY h.id LIMIT ? OFFSET ?`, append(args, limit, max(opts.Offset, 0))...)
	if err != nil {
		return nil, s.dbErr(err)
	}
	defer rows.Close()
	list := &HookList{Hooks: []*Hook{}}
	counted := false
	for rows.Next() {
		h, err := scanHook(rows, &list.Total)
		if err != nil {
			return nil, err
		}
		counted = true
		list.Hooks = append(list.Hooks, h)
	}
	if err := rows.Err(); err != nil {
		return nil, s.dbErr(err)
	}
	if !counted {
		// A page past the end: count separately.
		if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM hooks h`+cond, args...).Scan(&list.Total); err != nil {
			return nil, s.dbErr(err)
		}
	}
	return list, nil
}

// UpdateHook implements Store.
func (s *SQLite) UpdateHook(ctx context.Context, id string, p HookPatch) (*Hook, error) {
	p, err := checkPatch(p)
	if err != nil {
		return nil, err
	}
	var out *Hook
	err = s.write(ctx, func(tx *sql.Tx) error {
		h, err := scanHook(tx.QueryRowContext(ctx, `SELECT `+hookColumns+` FROM hooks h WHERE h.id = ?`, id))
		if errors.Is(err, sql.ErrNoRows) {
			return notFound(id)
		}
		if err != nil {
			return err
		}
		now := s.now().UTC().Truncate(time.Microsecond)
		if p.Name != nil {
			if err := nameFree(ctx, tx, *p.Name, id); err != nil {
				return err
			}
		}
		if p.applyTo(h) {
			if err := disableOthers(ctx, tx, h.TriggerID, id, now); err != nil {
				return err
			}
		}
		deps, err := json.Marshal(h.Dependencies)
		if err != nil {
			return err
		}
		h.UpdatedAt = now
		h.Version++
		if _, err := tx.ExecContext(ctx, `UPDATE hooks SET name = ?, name_key = ?, script = ?, enabled = ?, dependencies = ?, updated_at = ?, version = ?
			WHERE id = ?`, h.Name, NormalizeName(h.Name), h.Script, h.Enabled, string(deps), now.UnixMicro(), h.Version, id); err != nil {
			return err
		}
		secrets, err := s.readSecrets(ctx, tx, id)
		if err != nil {
			return err
		}
		h.Secrets = secrets
		out = h
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// DeleteHook implements Store.
func (s *SQLite) DeleteHook(ctx context.Context, id string) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM hook_secrets WHERE hook_id = ?`, id); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM hooks WHERE id = ?`, id)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return notFound(id)
		}
		return nil
	})
}

// SecretNames implements Store.
func (s *SQLite) SecretNames(ctx context.Context, id string) ([]string, error) {
	if s.closed.Load() {
		return nil, ErrClosed
	}
	rows, err := s.db.QueryContext(ctx, `SELECT s.name FROM hooks h LEFT JOIN hook_secrets s ON s.hook_id = h.id
		WHERE h.id = ? ORDER BY s.name`, id)
	if err != nil {
		return nil, s.dbErr(err)
	}
	defer rows.Close()
	found := false
	names := []string{}
	for rows.Next() {
		var n sql.NullString
		if err := rows.Scan(&n); err != nil {
			return nil, err
		}
		found = true
		if n.Valid {
			names = append(names, n.String)
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
func (s *SQLite) AddSecrets(ctx context.Context, id string, secrets map[string]string) error {
	if err := checkSecretNames(slices.Collect(maps.Keys(secrets))); err != nil {
		return err
	}
	return s.write(ctx, func(tx *sql.Tx) error {
		have, err := secretNamesTx(ctx, tx, id)
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
func (s *SQLite) UpdateSecrets(ctx context.Context, id string, secrets map[string]string) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		have, err := secretNamesTx(ctx, tx, id)
		if err != nil {
			return err
		}
		for _, name := range slices.Sorted(maps.Keys(secrets)) {
			if !slices.Contains(have, name) {
				return fmt.Errorf("%w: %q", ErrSecretNotFound, name)
			}
			if _, err := tx.ExecContext(ctx, `UPDATE hook_secrets SET value = ? WHERE hook_id = ? AND name = ?`,
				s.cipher.Seal([]byte(secrets[name]), secretAD(id, name)), id, name); err != nil {
				return err
			}
		}
		return s.touch(ctx, tx, id)
	})
}

// DeleteSecrets implements Store.
func (s *SQLite) DeleteSecrets(ctx context.Context, id string, names []string) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		if _, err := secretNamesTx(ctx, tx, id); err != nil {
			return err
		}
		for _, name := range names {
			if _, err := tx.ExecContext(ctx, `DELETE FROM hook_secrets WHERE hook_id = ? AND name = ?`, id, name); err != nil {
				return err
			}
		}
		return s.touch(ctx, tx, id)
	})
}

func (s *SQLite) insertSecrets(ctx context.Context, tx *sql.Tx, id string, secrets map[string]string) error {
	for _, name := range slices.Sorted(maps.Keys(secrets)) {
		if _, err := tx.ExecContext(ctx, `INSERT INTO hook_secrets (hook_id, name, value) VALUES (?, ?, ?)`,
			id, name, s.cipher.Seal([]byte(secrets[name]), secretAD(id, name))); err != nil {
			return err
		}
	}
	return nil
}

func (s *SQLite) readSecrets(ctx context.Context, tx *sql.Tx, id string) (map[string]string, error) {
	rows, err := tx.QueryContext(ctx, `SELECT name, value FROM hook_secrets WHERE hook_id = ?`, id)
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

// touch records a change to the hook's secrets on the hook.
func (s *SQLite) touch(ctx context.Context, tx *sql.Tx, id string) error {
	_, err := tx.ExecContext(ctx, `UPDATE hooks SET updated_at = ?, version = version + 1 WHERE id = ?`,
		s.now().UTC().UnixMicro(), id)
	return err
}

// secretNamesTx returns the names of the hook's secrets, or an error
// wrapping ErrNotFound when the hook does not exist.
func secretNamesTx(ctx context.Context, tx *sql.Tx, id string) ([]string, error) {
	var exists bool
	if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM hooks WHERE id = ?)`, id).Scan(&exists); err != nil {
		return nil, err
	}
	if !exists {
		return nil, notFound(id)
	}
	rows, err := tx.QueryContext(ctx, `SELECT name FROM hook_secrets WHERE hook_id = ?`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, err
		}
		names = append(names, n)
	}
	return names, rows.Err()
}

// nameFree fails with ErrNameTaken when a hook other than except has a
// name with the same key (NormalizeName).
func nameFree(ctx context.Context, tx *sql.Tx, name, except string) error {
	var other, id string
	err := tx.QueryRowContext(ctx, `SELECT name, id FROM hooks WHERE name_key = ? AND id <> ?`, NormalizeName(name), except).Scan(&other, &id)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return nil
	case err != nil:
		return err
	}
	return nameTaken(name, other, id)
}

// disableOthers disables the enabled hook of trigger t other than except.
func disableOthers(ctx context.Context, tx *sql.Tx, t triggers.ID, except string, now time.Time) error {
	_, err := tx.ExecContext(ctx, `UPDATE hooks SET enabled = 0, updated_at = ?, version = version + 1
		WHERE trigger_id = ? AND enabled = 1 AND id <> ?`, now.UnixMicro(), string(t), except)
	return err
}
