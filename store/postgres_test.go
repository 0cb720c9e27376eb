package store_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/hookengine/hookengine/internal/testenv"
	"github.com/hookengine/hookengine/store"
	"github.com/hookengine/hookengine/store/storetest"
	"github.com/hookengine/hookengine/triggers"
)

// newSchema returns a fresh schema name for one test, dropped (with all it
// holds) when the test ends.
func newSchema(t *testing.T) (url, schema string) { return testenv.PostgresSchema(t) }

func openPostgres(t *testing.T, url, schema string, key []byte, opts store.PostgresOptions) *store.Postgres {
	t.Helper()
	c, err := store.NewCipher(key)
	if err != nil {
		t.Fatal(err)
	}
	opts.Cipher, opts.Schema = c, schema
	s, err := store.OpenPostgres(context.Background(), url, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestPostgresConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store {
		url, schema := newSchema(t)
		return openPostgres(t, url, schema, testKey, store.PostgresOptions{})
	})
}

// TestPostgresAtRest checks what is in the tables: secrets sealed, the
// migrations recorded, the key remembered, a newer schema refused.
func TestPostgresAtRest(t *testing.T) {
	ctx := context.Background()
	url, schema := newSchema(t)
	s := openPostgres(t, url, schema, testKey, store.PostgresOptions{})
	const secret = "very-secret-value-4242"
	h, err := s.CreateHook(ctx, &store.Hook{Name: "at rest", TriggerID: triggers.PreUserRegistration, Script: "x",
		Secrets: map[string]string{"API_KEY": secret}})
	if err != nil {
		t.Fatal(err)
	}
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	q := pgx.Identifier{schema}.Sanitize()
	var value []byte
	if err := conn.QueryRow(ctx, `SELECT value FROM `+q+`.hook_secrets`).Scan(&value); err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(value, []byte(secret)) {
		t.Error("hook_secrets holds a secret value in clear")
	}
	var version int
	if err := conn.QueryRow(ctx, `SELECT MAX(version) FROM `+q+`.schema_migrations`).Scan(&version); err != nil || version < 1 {
		t.Errorf("schema_migrations: version %d, %v", version, err)
	}
	c, _ := store.NewCipher(bytes.Repeat([]byte{8}, store.KeySize))
	if _, err := store.OpenPostgres(ctx, url, store.PostgresOptions{Cipher: c, Schema: schema}); !errors.Is(err, store.ErrWrongKey) {
		t.Errorf("opening with another key: %v, want ErrWrongKey", err)
	}
	again := openPostgres(t, url, schema, testKey, store.PostgresOptions{})
	if got, err := again.GetHook(ctx, h.ID); err != nil || got.Secrets["API_KEY"] != secret {
		t.Errorf("after reopening: %+v, %v", got, err)
	}
	if _, err := conn.Exec(ctx, `INSERT INTO `+q+`.schema_migrations (version, name, applied_at) VALUES (999, 'future', 0)`); err != nil {
		t.Fatal(err)
	}
	c, _ = store.NewCipher(testKey)
	if _, err := store.OpenPostgres(ctx, url, store.PostgresOptions{Cipher: c, Schema: schema}); !errors.Is(err, store.ErrSchemaTooNew) {
		t.Errorf("opening a newer schema: %v, want ErrSchemaTooNew", err)
	}
}

func TestPostgresBadOptions(t *testing.T) {
	ctx := context.Background()
	c, _ := store.NewCipher(testKey)
	tests := []struct {
		desc string
		url  string
		opts store.PostgresOptions
		want error
	}{
		{"no key", "postgres://127.0.0.1/x", store.PostgresOptions{}, store.ErrNoKey},
		{"bad schema", "postgres://127.0.0.1/x", store.PostgresOptions{Cipher: c, Schema: "a; DROP TABLE x"}, nil},
		{"bad url", "postgres://%zz", store.PostgresOptions{Cipher: c}, nil},
	}
	for _, tt := range tests {
		_, err := store.OpenPostgres(ctx, tt.url, tt.opts)
		if err == nil || (tt.want != nil && !errors.Is(err, tt.want)) {
			t.Errorf("%s: %v, want an error (%v)", tt.desc, err, tt.want)
		}
	}
}

// TestPostgresSeveralProcesses has two stores on one schema, as two
// replicas would, write at once: enables of hooks of one trigger through
// both leave exactly one enabled, and concurrent changes to one hook are
// all kept.
func TestPostgresSeveralProcesses(t *testing.T) {
	ctx := context.Background()
	url, schema := newSchema(t)
	stores := []*store.Postgres{
		openPostgres(t, url, schema, testKey, store.PostgresOptions{}),
		openPostgres(t, url, schema, testKey, store.PostgresOptions{}),
	}
	var hooks []*store.Hook
	for i := range 6 {
		h, err := stores[i%2].CreateHook(ctx, &store.Hook{Name: fmt.Sprint("h ", i), TriggerID: triggers.CredentialsExchange, Script: "x"})
		if err != nil {
			t.Fatal(err)
		}
		hooks = append(hooks, h)
	}
	on := true
	var wg sync.WaitGroup
	errs := make(chan error, 100)
	for round := range 3 {
		for i, h := range hooks {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, err := stores[(i+round)%2].UpdateHook(ctx, h.ID, store.HookPatch{Enabled: &on}); err != nil {
					errs <- err
				}
			}()
		}
		// Concurrent patches of one hook through both stores: none lost.
		for i := range 10 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if err := stores[i%2].AddSecrets(ctx, hooks[0].ID, map[string]string{fmt.Sprintf("R%dS%d", round, i): "v"}); err != nil {
					errs <- err
				}
			}()
		}
	}
	wg.Wait()
	close(errs)
	refused := 0
	for err := range errs {
		if errors.Is(err, store.ErrTooManySecrets) {
			refused++
			continue
		}
		t.Error(err)
	}
	l, err := stores[1].ListHooks(ctx, store.ListOptions{TriggerID: triggers.CredentialsExchange, Enabled: &on})
	if err != nil {
		t.Fatal(err)
	}
	if l.Total != 1 {
		t.Errorf("%d hooks enabled, want 1", l.Total)
	}
	names, err := stores[0].SecretNames(ctx, hooks[0].ID)
	if err != nil || len(names) != store.MaxSecrets || refused != 30-store.MaxSecrets {
		// 30 secrets were added, but a hook has at most 20: the store
		// refused the rest, each refusal seeing all that came before.
		t.Errorf("%d secrets (%v) and %d refused, want 20 and 10", len(names), err, refused)
	}
	// The name rule holds across processes too.
	if _, err := stores[1].CreateHook(ctx, &store.Hook{Name: "H 0", TriggerID: triggers.SendPhoneMessage, Script: "x"}); !errors.Is(err, store.ErrNameTaken) {
		t.Errorf("a taken name through the other store: %v, want ErrNameTaken", err)
	}
}

// TestPostgresWatch checks that a change through one store reaches the
// other's Watch, by notification and, after the listening connection was
// killed, by the periodic check.
func TestPostgresWatch(t *testing.T) {
	ctx := context.Background()
	url, schema := newSchema(t)
	a := openPostgres(t, url, schema, testKey, store.PostgresOptions{})
	b := openPostgres(t, url, schema, testKey, store.PostgresOptions{PollInterval: 200 * time.Millisecond})
	h, err := a.CreateHook(ctx, &store.Hook{Name: "watched", TriggerID: triggers.CredentialsExchange, Script: "v1"})
	if err != nil {
		t.Fatal(err)
	}
	seen := make(chan string, 100)
	wctx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- b.Watch(wctx, func(id string) { seen <- id }) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Watch: %v", err)
		}
	}()
	waitFor := func(what, id string) {
		t.Helper()
		timeout := time.After(20 * time.Second)
		for {
			select {
			case got := <-seen:
				if got == id {
					return
				}
			case <-timeout:
				t.Fatalf("%s: no change of %s reported", what, id)
			}
		}
	}
	// Wait until b listens: keep changing the hook until one is seen.
	deadline := time.Now().Add(20 * time.Second)
	for i := 0; ; i++ {
		s := fmt.Sprint("v", i)
		if _, err := a.UpdateHook(ctx, h.ID, store.HookPatch{Script: &s}); err != nil {
			t.Fatal(err)
		}
		select {
		case got := <-seen:
			if got != h.ID {
				t.Fatalf("reported %q, want %q", got, h.ID)
			}
		case <-time.After(100 * time.Millisecond):
			if time.Now().After(deadline) {
				t.Fatal("no change reported")
			}
			continue
		}
		break
	}
	if err := a.AddSecrets(ctx, h.ID, map[string]string{"K": "v"}); err != nil {
		t.Fatal(err)
	}
	waitFor("a secret added", h.ID)
	// Cut b's listening connection (and a's, if it had one): the change
	// made meanwhile is found by the periodic check.
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var killed []bool
	if rows, err := conn.Query(ctx, `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE 'LISTEN %' AND pid <> pg_backend_pid()`); err == nil {
		killed, err = pgx.CollectRows(rows, pgx.RowTo[bool])
		if err != nil {
			t.Fatal(err)
		}
	}
	if !slices.Contains(killed, true) {
		t.Log("no listening connection found to cut")
	}
	other, err := a.CreateHook(ctx, &store.Hook{Name: "created meanwhile", TriggerID: triggers.SendPhoneMessage, Script: "x"})
	if err != nil {
		t.Fatal(err)
	}
	waitFor("a hook created while the connection was cut", other.ID)
	if err := a.DeleteHook(ctx, other.ID); err != nil {
		t.Fatal(err)
	}
	waitFor("a hook deleted", other.ID)
	// Close ends Watch.
	b.Close()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Watch after Close: %v", err)
		}
		done <- nil
	case <-time.After(20 * time.Second):
		t.Fatal("Watch did not return after Close")
	}
}

// TestPostgresWatchReady: a change made as soon as WatchReady calls ready
// is reported, even though the watcher may not be listening yet (the
// reading of every hook's version that came before ready catches it).
func TestPostgresWatchReady(t *testing.T) {
	ctx := context.Background()
	url, schema := newSchema(t)
	a := openPostgres(t, url, schema, testKey, store.PostgresOptions{})
	b := openPostgres(t, url, schema, testKey, store.PostgresOptions{PollInterval: time.Hour})
	h, err := a.CreateHook(ctx, &store.Hook{Name: "watched-ready", TriggerID: triggers.CredentialsExchange, Script: "v1"})
	if err != nil {
		t.Fatal(err)
	}
	seen := make(chan string, 100)
	ready := make(chan struct{})
	wctx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() {
		done <- b.WatchReady(wctx, func(id string) { seen <- id }, func() { close(ready) })
	}()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("WatchReady: %v", err)
		}
	}()
	<-ready
	s := "v2"
	if _, err := a.UpdateHook(ctx, h.ID, store.HookPatch{Script: &s}); err != nil {
		t.Fatal(err)
	}
	timeout := time.After(20 * time.Second)
	for {
		select {
		case got := <-seen:
			if got == h.ID {
				return
			}
		case <-timeout:
			t.Fatalf("the change made right after ready was not reported")
		}
	}
}
