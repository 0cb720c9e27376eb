package store_test

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/hookengine/hookengine/store"
	"github.com/hookengine/hookengine/triggers"
)

func TestCheckName(t *testing.T) {
	tests := []struct {
		name string
		want string // part of the error; "" for a valid name
	}{
		{"Audit Hook v2", ""},
		{"test-hook735", ""},
		{"a  b", ""},
		{"7", ""},
		{strings.Repeat("a", store.MaxNameLength), ""},
		{"", "cannot be empty"},
		{strings.Repeat("a", store.MaxNameLength+1), "at most 200"},
		{"audit_hook", "'_' at position 6"},
		{"héllo", "'é' at position 2"},
		{"tab\there", "'\\t' at position 4"},
		{"-hook", "start and end"},
		{"hook ", "start and end"},
	}
	for _, tt := range tests {
		err := store.CheckName(tt.name)
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("CheckName(%q) = %v, want nil", tt.name, err)
		case tt.want != "" && (!errors.Is(err, store.ErrInvalid) || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("CheckName(%q) = %v, want ErrInvalid saying %q", tt.name, err, tt.want)
		}
		// The pattern Auth0 published and the rule agree.
		if ok := err == nil; ok != (store.NamePattern.MatchString(tt.name) && len(tt.name) <= store.MaxNameLength) {
			t.Errorf("CheckName(%q) and NamePattern disagree", tt.name)
		}
	}
}

func TestRestoreLegacyName(t *testing.T) {
	tests := []struct{ stored, want string }{
		{"audit-hook-v-2", "audit-hook-v2"},
		{"test-hook-735", "test-hook735"},
		{"v-2-hook", "v2-hook"},
		{"hook-1-2", "hook1-2"},
		{"1-2", "1-2"},
		{"my-hook", "my-hook"},
		{"Not Normalised 2", "Not Normalised 2"}, // not written by the old rule
		{"audit-hook-v2", "audit-hook-v2"},
	}
	for _, tt := range tests {
		got := store.RestoreLegacyName(tt.stored)
		if got != tt.want {
			t.Errorf("RestoreLegacyName(%q) = %q, want %q", tt.stored, got, tt.want)
		}
		if store.NormalizeName(got) != store.NormalizeName(tt.stored) {
			t.Errorf("RestoreLegacyName(%q) changed the key", tt.stored)
		}
	}
}

func TestLegacyNameRenames(t *testing.T) {
	got := store.LegacyNameRenames(map[string]string{
		"01B": "audit-hook-v-2",
		"01A": "test-hook-735",
		"01C": "plain",
		"01D": "kept-v-3", // its restored form is taken exactly by 01E
		"01E": "kept-v3",
	})
	want := []store.NameRename{
		{ID: "01A", From: "test-hook-735", To: "test-hook735"},
		{ID: "01B", From: "audit-hook-v-2", To: "audit-hook-v2"},
	}
	if !slices.Equal(got, want) {
		t.Errorf("LegacyNameRenames = %+v, want %+v", got, want)
	}
}

// TestSQLiteMigratesLegacyNames opens a database written with schema
// version 1, whose names were stored rewritten, and checks that the names
// are restored, recorded in name_migrations, and unique by key afterwards.
func TestSQLiteMigratesLegacyNames(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "hooks.db")
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, stmt := range []string{
		`CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)`,
		`INSERT INTO schema_migrations VALUES (1, 'hooks, secrets and metadata', 0)`,
		`CREATE TABLE hooks (id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, script TEXT NOT NULL, trigger_id TEXT NOT NULL,
			enabled INTEGER NOT NULL DEFAULT 0 CHECK (enabled IN (0, 1)), dependencies TEXT NOT NULL DEFAULT '{}',
			created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL, version INTEGER NOT NULL DEFAULT 1)`,
		`CREATE UNIQUE INDEX hooks_one_enabled_per_trigger ON hooks (trigger_id) WHERE enabled = 1`,
		`CREATE TABLE hook_secrets (hook_id TEXT NOT NULL REFERENCES hooks (id) ON DELETE CASCADE, name TEXT NOT NULL,
			value BLOB NOT NULL, PRIMARY KEY (hook_id, name))`,
		`CREATE TABLE meta (key TEXT PRIMARY KEY, value BLOB NOT NULL)`,
		`INSERT INTO hooks (id, name, script, trigger_id, created_at, updated_at) VALUES
			('01GBPZWEFDT9RFR6PN6939RZZA', 'audit-hook-v-2', 's', 'pre-user-registration', 0, 0),
			('01GBPZWEFDT9RFR6PN6939RZZB', 'my-hook', 's', 'send-phone-message', 0, 0)`,
	} {
		if _, err := db.Exec(stmt); err != nil {
			t.Fatal(err)
		}
	}
	s := openSQLite(t, path, testKey)
	h, err := s.GetHook(ctx, "01GBPZWEFDT9RFR6PN6939RZZA")
	if err != nil || h.Name != "audit-hook-v2" {
		t.Fatalf("migrated hook: %+v, %v; want the name audit-hook-v2", h, err)
	}
	if h, _ := s.GetHook(ctx, "01GBPZWEFDT9RFR6PN6939RZZB"); h.Name != "my-hook" {
		t.Errorf("a name without a digit became %q", h.Name)
	}
	if got := s.RestoredNames(); len(got) != 1 || got[0] != (store.NameRename{ID: "01GBPZWEFDT9RFR6PN6939RZZA", From: "audit-hook-v-2", To: "audit-hook-v2"}) {
		t.Errorf("RestoredNames() = %+v", got)
	}
	if again := openSQLite(t, path, testKey); len(again.RestoredNames()) != 0 {
		t.Errorf("a second open restored names again: %+v", again.RestoredNames())
	}
	var from, to string
	if err := db.QueryRow(`SELECT old_name, new_name FROM name_migrations`).Scan(&from, &to); err != nil ||
		from != "audit-hook-v-2" || to != "audit-hook-v2" {
		t.Errorf("name_migrations: %q -> %q, %v", from, to, err)
	}
	// The deploy-cli's form of "Audit Hook v2" now finds the hook by name
	// exactly; a look-alike is refused.
	if _, err := s.CreateHook(ctx, &store.Hook{Name: "Audit Hook V2", Script: "s", TriggerID: triggers.PreUserRegistration}); !errors.Is(err, store.ErrNameTaken) {
		t.Errorf("a look-alike of a migrated name: %v, want ErrNameTaken", err)
	}
	if _, err := s.UpdateHook(ctx, "01GBPZWEFDT9RFR6PN6939RZZB", store.HookPatch{Name: ptr("Audit-Hook-V-2")}); !errors.Is(err, store.ErrNameTaken) {
		t.Errorf("renaming to a look-alike of a migrated name: %v, want ErrNameTaken", err)
	}
}

func ptr[T any](v T) *T { return &v }
