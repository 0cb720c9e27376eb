package store_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/hookengine/hookengine/store"
	"github.com/hookengine/hookengine/triggers"
)

func ExampleNormalizeName() {
	for _, name := range []string{"test-hook735", "My Hook", "XMLHttpHook"} {
		fmt.Println(store.NormalizeName(name))
	}
	// Output:
	// test-hook-735
	// my-hook
	// xml-http-hook
}

func ExampleCheckName() {
	for _, name := range []string{"Audit Hook v2", "audit_hook", "-hook"} {
		fmt.Println(store.CheckName(name))
	}
	// Output:
	// <nil>
	// store: invalid hook: the name "audit_hook" has '_' at position 6: only letters a-z and A-Z, digits, spaces and '-' are allowed
	// store: invalid hook: the name "-hook" must start and end with a letter or a digit
}

func ExampleRestoreLegacyName() {
	for _, stored := range []string{"audit-hook-v-2", "test-hook-735", "my-hook"} {
		fmt.Println(store.RestoreLegacyName(stored))
	}
	// Output:
	// audit-hook-v2
	// test-hook735
	// my-hook
}

// Enabling a hook disables the one of the same trigger that was enabled.
func ExampleMemory() {
	ctx := context.Background()
	s := store.NewMemory()
	first, _ := s.CreateHook(ctx, &store.Hook{Name: "First", TriggerID: triggers.PreUserRegistration, Script: "...", Enabled: true})
	second, _ := s.CreateHook(ctx, &store.Hook{Name: "Second", TriggerID: triggers.PreUserRegistration, Script: "..."})
	on := true
	if _, err := s.UpdateHook(ctx, second.ID, store.HookPatch{Enabled: &on}); err != nil {
		panic(err)
	}
	enabled, _ := s.EnabledHook(ctx, triggers.PreUserRegistration)
	before, _ := s.GetHook(ctx, first.ID)
	fmt.Println(enabled.Name, before.Enabled)

	_, err := s.CreateHook(ctx, &store.Hook{Name: "second", TriggerID: triggers.SendPhoneMessage, Script: "..."})
	fmt.Println(errors.Is(err, store.ErrNameTaken))
	// Output:
	// Second false
	// true
}

func ExampleOpenSQLite() {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "hooks")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)

	// In production the key comes from configuration: store.ParseKey.
	c, err := store.NewCipher(store.GenerateKey())
	if err != nil {
		panic(err)
	}
	s, err := store.OpenSQLite(ctx, filepath.Join(dir, "hooks.db"), store.SQLiteOptions{Cipher: c})
	if err != nil {
		panic(err)
	}
	defer s.Close()
	h, err := s.CreateHook(ctx, &store.Hook{Name: "Add Plan", TriggerID: triggers.PreUserRegistration,
		Script: "module.exports = function (user, context, cb) { cb(); };", Secrets: map[string]string{"API_KEY": "k"}})
	if err != nil {
		panic(err)
	}
	names, _ := s.SecretNames(ctx, h.ID)
	fmt.Println(h.Name, h.Version, names)
	// Output: Add Plan 1 [API_KEY]
}

// Replicas share their hooks through PostgreSQL; each one watches the
// changes the others make to drop what it derived from the old hooks.
func ExampleOpenPostgres() {
	ctx := context.Background()
	key, err := store.ParseKey(os.Getenv("HOOKENGINE_SECRETS_KEY"))
	if err != nil {
		fmt.Println(err)
		return
	}
	c, _ := store.NewCipher(key)
	s, err := store.OpenPostgres(ctx, "postgres://hookengine@db.internal/hooks", store.PostgresOptions{Cipher: c})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer s.Close()
	go s.Watch(ctx, func(hookID string) {
		fmt.Println("changed:", hookID) // e.g. engine.Forget(hookID)
	})
}
