package store_test

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hookengine/hookengine/store"
	"github.com/hookengine/hookengine/store/storetest"
	"github.com/hookengine/hookengine/triggers"
)

func TestMemoryConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store { return store.NewMemory() })
}

func TestSQLiteConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store { return openSQLite(t, filepath.Join(t.TempDir(), "hooks.db"), testKey) })
}

var testKey = bytes.Repeat([]byte{7}, store.KeySize)

func openSQLite(t *testing.T, path string, key []byte) *store.SQLite {
	t.Helper()
	c, err := store.NewCipher(key)
	if err != nil {
		t.Fatal(err)
	}
	s, err := store.OpenSQLite(context.Background(), path, store.SQLiteOptions{Cipher: c})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestNormalizeName(t *testing.T) {
	tests := []struct{ in, want string }{
		{"test-hook735", "test-hook-735"}, // recorded from Auth0's API
		{"cce hook", "cce-hook"},
		{"My Hook", "my-hook"},
		{"Client Credentials Exchange", "client-credentials-exchange"},
		{"someHook", "some-hook"},
		{"XMLHttpHook", "xml-http-hook"},
		{"v2hook", "v-2-hook"},
		{"already-normal", "already-normal"},
		{"a  -  b", "a-b"},
		{"ABC", "abc"},
		{"hook", "hook"},
		{"", ""},
	}
	for _, tt := range tests {
		got := store.NormalizeName(tt.in)
		if got != tt.want {
			t.Errorf("NormalizeName(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if again := store.NormalizeName(got); again != got {
			t.Errorf("NormalizeName is not idempotent on %q: %q", got, again)
		}
	}
}

func TestValidName(t *testing.T) {
	for name, want := range map[string]bool{
		"a": true, "My Hook 2": true, "a-b": true, "7": true,
		"": false, "-a": false, "a-": false, " a": false, "a_b": false, "héllo": false,
		strings.Repeat("a", store.MaxNameLength): true, strings.Repeat("a", store.MaxNameLength+1): false,
	} {
		if got := store.ValidName(name); got != want {
			t.Errorf("ValidName(%q) = %v, want %v", name, got, want)
		}
	}
}

func TestParseKey(t *testing.T) {
	key := store.GenerateKey()
	for _, enc := range []string{
		store.EncodeKey(key),
		"  " + store.EncodeKey(key) + "\n",
		strings.TrimRight(store.EncodeKey(key), "="),
		strings.NewReplacer("+", "-", "/", "_").Replace(store.EncodeKey(key)),
		hexString(key),
	} {
		got, err := store.ParseKey(enc)
		if err != nil || !bytes.Equal(got, key) {
			t.Errorf("ParseKey(%q) = %x, %v", enc, got, err)
		}
	}
	for _, bad := range []string{"", "short", store.EncodeKey(key[:16]), hexString(key) + "00"} {
		if _, err := store.ParseKey(bad); !errors.Is(err, store.ErrBadKey) {
			t.Errorf("ParseKey(%q): %v, want ErrBadKey", bad, err)
		}
	}
	if _, err := store.NewCipher(key[:16]); !errors.Is(err, store.ErrBadKey) {
		t.Errorf("NewCipher with 16 bytes: %v", err)
	}
}

func hexString(b []byte) string {
	const digits = "0123456789abcdef"
	var s strings.Builder
	for _, c := range b {
		s.WriteByte(digits[c>>4])
		s.WriteByte(digits[c&15])
	}
	return s.String()
}

func TestCipherBindsValuesToTheirSecret(t *testing.T) {
	c, _ := store.NewCipher(testKey)
	sealed := c.Seal([]byte("v"), []byte("a"))
	if _, err := c.Open(sealed, []byte("b")); err == nil {
		t.Error("a value opened with other additional data")
	}
	if got, err := c.Open(sealed, []byte("a")); err != nil || string(got) != "v" {
		t.Errorf("Open = %q, %v", got, err)
	}
	if _, err := c.Open(sealed[:5], []byte("a")); err == nil {
		t.Error("a truncated value opened")
	}
	if bytes.Equal(c.Seal([]byte("v"), nil), c.Seal([]byte("v"), nil)) {
		t.Error("two seals of one value are equal: nonces are not fresh")
	}
}

func TestSQLiteNeedsKey(t *testing.T) {
	_, err := store.OpenSQLite(context.Background(), filepath.Join(t.TempDir(), "x.db"), store.SQLiteOptions{})
	if !errors.Is(err, store.ErrNoKey) {
		t.Errorf("OpenSQLite without a cipher: %v, want ErrNoKey", err)
	}
}

// TestSQLiteAtRest checks what is in the file: secrets encrypted, the
// schema's migrations recorded, WAL mode, and the key remembered.
func TestSQLiteAtRest(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "hooks.db")
	s := openSQLite(t, path, testKey)
	const secret = "very-secret-value-4242"
	h, err := s.CreateHook(ctx, &store.Hook{Name: "at rest", TriggerID: triggers.PreUserRegistration, Script: "x",
		Secrets: map[string]string{"API_KEY": secret}})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.AddSecrets(ctx, h.ID, map[string]string{"OTHER": secret + "-2"}); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{path, path + "-wal"} {
		b, err := os.ReadFile(f)
		if err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		if bytes.Contains(b, []byte(secret)) {
			t.Errorf("%s holds a secret value in clear", filepath.Base(f))
		}
	}

	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var mode string
	if err := db.QueryRow(`PRAGMA journal_mode`).Scan(&mode); err != nil || mode != "wal" {
		t.Errorf("journal_mode = %q, %v; want wal", mode, err)
	}
	var version int
	var name string
	if err := db.QueryRow(`SELECT version, name FROM schema_migrations ORDER BY version DESC LIMIT 1`).Scan(&version, &name); err != nil || version < 1 || name == "" {
		t.Errorf("schema_migrations: version %d name %q, %v", version, name, err)
	}

	// Another key is refused; the right one reads the secrets back.
	c, _ := store.NewCipher(bytes.Repeat([]byte{8}, store.KeySize))
	if _, err := store.OpenSQLite(ctx, path, store.SQLiteOptions{Cipher: c}); !errors.Is(err, store.ErrWrongKey) {
		t.Errorf("opening with another key: %v, want ErrWrongKey", err)
	}
	again := openSQLite(t, path, testKey)
	got, err := again.GetHook(ctx, h.ID)
	if err != nil || got.Secrets["API_KEY"] != secret || got.Secrets["OTHER"] != secret+"-2" {
		t.Errorf("after reopening: %+v, %v", got, err)
	}

	// A schema newer than this program is refused.
	if _, err := db.Exec(`INSERT INTO schema_migrations (version, name, applied_at) VALUES (999, 'future', 0)`); err != nil {
		t.Fatal(err)
	}
	c, _ = store.NewCipher(testKey)
	if _, err := store.OpenSQLite(ctx, path, store.SQLiteOptions{Cipher: c}); !errors.Is(err, store.ErrSchemaTooNew) {
		t.Errorf("opening a newer schema: %v, want ErrSchemaTooNew", err)
	}
}

// TestSQLiteSharedFile uses two stores on one file, as two processes would:
// each sees the other's changes at once, and the one-enabled rule holds
// across them.
func TestSQLiteSharedFile(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "hooks.db")
	a, b := openSQLite(t, path, testKey), openSQLite(t, path, testKey)
	h, err := a.CreateHook(ctx, &store.Hook{Name: "one", TriggerID: triggers.CredentialsExchange, Script: "v1", Enabled: true})
	if err != nil {
		t.Fatal(err)
	}
	got, err := b.EnabledHook(ctx, triggers.CredentialsExchange)
	if err != nil || got.Script != "v1" {
		t.Fatalf("b's EnabledHook = %+v, %v", got, err)
	}
	v2 := "v2"
	if _, err := a.UpdateHook(ctx, h.ID, store.HookPatch{Script: &v2}); err != nil {
		t.Fatal(err)
	}
	if got, _ := b.EnabledHook(ctx, triggers.CredentialsExchange); got.Script != "v2" {
		t.Errorf("b sees script %q after a's update, want v2", got.Script)
	}
	if _, err := b.CreateHook(ctx, &store.Hook{Name: "two", TriggerID: triggers.CredentialsExchange, Script: "w", Enabled: true}); err != nil {
		t.Fatal(err)
	}
	if got, _ := a.GetHook(ctx, h.ID); got.Enabled {
		t.Error("a's hook still enabled after b enabled another of its trigger")
	}
	if _, err := b.CreateHook(ctx, &store.Hook{Name: "ONE", TriggerID: triggers.SendPhoneMessage, Script: "w"}); !errors.Is(err, store.ErrNameTaken) {
		t.Errorf("b creating a's name: %v, want ErrNameTaken", err)
	}
}
