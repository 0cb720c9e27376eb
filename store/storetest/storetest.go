package storetest

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/hookengine/hookengine/internal/ulid"
	"github.com/hookengine/hookengine/store"
	"github.com/hookengine/hookengine/triggers"
)

// Run runs the conformance suite. open returns a new, empty store for one
// subtest; Run closes it when the subtest ends.
func Run(t *testing.T, open func(t *testing.T) store.Store) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s store.Store)
	}{
		{"CreateAndGet", testCreateAndGet},
		{"CreateInvalid", testCreateInvalid},
		{"NamesUniqueOnceNormalised", testNamesUnique},
		{"NamesKeptAsSent", testNamesKept},
		{"NotFound", testNotFound},
		{"List", testList},
		{"Update", testUpdate},
		{"OneEnabledPerTrigger", testOneEnabled},
		{"EnabledHook", testEnabledHook},
		{"Delete", testDelete},
		{"Secrets", testSecrets},
		{"SecretLimits", testSecretLimits},
		{"ConcurrentWriters", testConcurrent},
		{"CancelledContext", testCancelled},
		{"Closed", testClosed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := open(t)
			t.Cleanup(func() { _ = s.Close() })
			tt.fn(t, s)
		})
	}
}

var ctx = context.Background()

func mustCreate(t *testing.T, s store.Store, h *store.Hook) *store.Hook {
	t.Helper()
	got, err := s.CreateHook(ctx, h)
	if err != nil {
		t.Fatalf("CreateHook(%q): %v", h.Name, err)
	}
	return got
}

func hook(name string, trigger triggers.ID) *store.Hook {
	return &store.Hook{Name: name, TriggerID: trigger, Script: "module.exports = function (user, context, cb) { cb(); };"}
}

func ptr[T any](v T) *T { return &v }

func testCreateAndGet(t *testing.T, s store.Store) {
	in := hook("My Hook", triggers.PreUserRegistration)
	in.ID = "ignored"
	in.Dependencies = map[string]string{"auth0": "2.30.0"}
	in.Secrets = map[string]string{"API_KEY": "k1", "OTHER": ""}
	got := mustCreate(t, s, in)
	if !ulid.Valid(got.ID) {
		t.Errorf("id %q is not a 26-character sortable id", got.ID)
	}
	if got.Name != "My Hook" || got.Script != in.Script || got.TriggerID != triggers.PreUserRegistration ||
		got.Enabled || got.Version != 1 || got.CreatedAt.IsZero() || !got.UpdatedAt.Equal(got.CreatedAt) {
		t.Errorf("created %+v", got)
	}
	in.Dependencies["auth0"] = "changed after the call"
	back, err := s.GetHook(ctx, got.ID)
	if err != nil {
		t.Fatal(err)
	}
	if back.Name != "My Hook" || back.Script != in.Script || back.Version != 1 ||
		!maps.Equal(back.Dependencies, map[string]string{"auth0": "2.30.0"}) ||
		!maps.Equal(back.Secrets, map[string]string{"API_KEY": "k1", "OTHER": ""}) {
		t.Errorf("GetHook = %+v", back)
	}
	// The caller owns what it gets back.
	back.Secrets["API_KEY"] = "mutated"
	again, _ := s.GetHook(ctx, got.ID)
	if again.Secrets["API_KEY"] != "k1" {
		t.Error("modifying a returned hook changed the store")
	}
	plain := mustCreate(t, s, hook("plain", triggers.CredentialsExchange))
	if plain.Dependencies == nil || len(plain.Dependencies) != 0 {
		t.Errorf("dependencies of a hook created without = %#v, want an empty map", plain.Dependencies)
	}
	if plain.ID <= got.ID {
		t.Errorf("ids do not sort in creation order: %s then %s", got.ID, plain.ID)
	}
}

func testCreateInvalid(t *testing.T, s store.Store) {
	tooMany := map[string]string{}
	for i := range store.MaxSecrets + 1 {
		tooMany[fmt.Sprint("S", i)] = "v"
	}
	tests := []struct {
		desc string
		h    *store.Hook
		want error
	}{
		{"empty name", hook("", triggers.PreUserRegistration), store.ErrInvalid},
		{"name with underscore", hook("my_hook", triggers.PreUserRegistration), store.ErrInvalid},
		{"name ending with a hyphen", hook("hook-", triggers.PreUserRegistration), store.ErrInvalid},
		{"empty script", &store.Hook{Name: "x", TriggerID: triggers.PreUserRegistration}, store.ErrInvalid},
		{"unknown trigger", hook("x", "password-exchange"), store.ErrInvalid},
		{"too many secrets", &store.Hook{Name: "x", TriggerID: triggers.PreUserRegistration, Script: "x", Secrets: tooMany}, store.ErrTooManySecrets},
		{"empty secret name", &store.Hook{Name: "x", TriggerID: triggers.PreUserRegistration, Script: "x", Secrets: map[string]string{"": "v"}}, store.ErrInvalid},
	}
	for _, tt := range tests {
		if _, err := s.CreateHook(ctx, tt.h); !errors.Is(err, tt.want) {
			t.Errorf("%s: CreateHook error %v, want %v", tt.desc, err, tt.want)
		}
	}
	if l, _ := s.ListHooks(ctx, store.ListOptions{}); l.Total != 0 {
		t.Errorf("invalid hooks were stored: %d", l.Total)
	}
}

func testNamesUnique(t *testing.T, s store.Store) {
	first := mustCreate(t, s, hook("Test Hook", triggers.PreUserRegistration))
	for _, name := range []string{"test-hook", "TestHook", "test hook"} {
		for _, trig := range []triggers.ID{triggers.PreUserRegistration, triggers.SendPhoneMessage} {
			if _, err := s.CreateHook(ctx, hook(name, trig)); !errors.Is(err, store.ErrNameTaken) {
				t.Errorf("CreateHook(%q, %s) after %q: %v, want ErrNameTaken", name, trig, first.Name, err)
			}
		}
	}
	other := mustCreate(t, s, hook("other", triggers.PreUserRegistration))
	if _, err := s.UpdateHook(ctx, other.ID, store.HookPatch{Name: ptr("TEST hook")}); !errors.Is(err, store.ErrNameTaken) {
		t.Errorf("renaming to a taken name: %v, want ErrNameTaken", err)
	}
	// Renaming a hook to its own name is no conflict.
	if _, err := s.UpdateHook(ctx, first.ID, store.HookPatch{Name: ptr("test-hook")}); err != nil {
		t.Errorf("renaming a hook to its own name: %v", err)
	}
}

// testNamesKept checks that a name comes back exactly as it was sent,
// digits, capitals and spaces included, from every method.
func testNamesKept(t *testing.T, s store.Store) {
	names := []string{"Audit Hook v2", "audit-hook-v3", "test-hook735", "XMLHttpHook", "a  b", "7"}
	ids := map[string]string{}
	for _, n := range names {
		h := mustCreate(t, s, hook(n, triggers.PostUserRegistration))
		if h.Name != n {
			t.Errorf("CreateHook(%q) returned the name %q", n, h.Name)
		}
		ids[h.ID] = n
	}
	list, err := s.ListHooks(ctx, store.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range list.Hooks {
		if h.Name != ids[h.ID] {
			t.Errorf("ListHooks: hook %s named %q, created as %q", h.ID, h.Name, ids[h.ID])
		}
		got, err := s.GetHook(ctx, h.ID)
		if err != nil || got.Name != ids[h.ID] {
			t.Errorf("GetHook(%s) = %v, %v; want the name %q", h.ID, got, err, ids[h.ID])
		}
	}
	first := list.Hooks[0]
	upd, err := s.UpdateHook(ctx, first.ID, store.HookPatch{Name: ptr("Audit Hook V2 Final")})
	if err != nil || upd.Name != "Audit Hook V2 Final" {
		t.Errorf("renamed to %v, %v; want the name as sent", upd, err)
	}
	// A look-alike of another hook's name is refused, and the error names
	// that hook.
	_, err = s.CreateHook(ctx, hook("audit-hook-v-3", triggers.PostUserRegistration))
	if !errors.Is(err, store.ErrNameTaken) || !strings.Contains(err.Error(), "audit-hook-v3") {
		t.Errorf("creating a look-alike of audit-hook-v3: %v", err)
	}
}

func testNotFound(t *testing.T, s store.Store) {
	const id = "01GBPZWEFDT9RFR6PN6939RZZE"
	checks := map[string]error{}
	_, checks["GetHook"] = s.GetHook(ctx, id)
	_, checks["UpdateHook"] = s.UpdateHook(ctx, id, store.HookPatch{Script: ptr("x")})
	checks["DeleteHook"] = s.DeleteHook(ctx, id)
	_, checks["SecretNames"] = s.SecretNames(ctx, id)
	checks["AddSecrets"] = s.AddSecrets(ctx, id, map[string]string{"A": "1"})
	checks["UpdateSecrets"] = s.UpdateSecrets(ctx, id, map[string]string{"A": "1"})
	checks["DeleteSecrets"] = s.DeleteSecrets(ctx, id, []string{"A"})
	_, checks["EnabledHook"] = s.EnabledHook(ctx, triggers.SendPhoneMessage)
	for name, err := range checks {
		if !errors.Is(err, store.ErrNotFound) {
			t.Errorf("%s: %v, want ErrNotFound", name, err)
		}
	}
}

func testList(t *testing.T, s store.Store) {
	var ids []string
	for i := range 7 {
		trig := triggers.PreUserRegistration
		if i%2 == 1 {
			trig = triggers.CredentialsExchange
		}
		h := hook(fmt.Sprint("hook ", i), trig)
		h.Secrets = map[string]string{"S": "v"}
		ids = append(ids, mustCreate(t, s, h).ID)
	}
	if _, err := s.UpdateHook(ctx, ids[3], store.HookPatch{Enabled: ptr(true)}); err != nil {
		t.Fatal(err)
	}
	listIDs := func(l *store.HookList) []string {
		var out []string
		for _, h := range l.Hooks {
			out = append(out, h.ID)
			if h.Secrets != nil {
				t.Errorf("ListHooks returned secrets of %s", h.ID)
			}
		}
		return out
	}
	tests := []struct {
		desc  string
		opts  store.ListOptions
		want  []string
		total int
	}{
		{"all", store.ListOptions{}, ids, 7},
		{"page", store.ListOptions{Offset: 2, Limit: 3}, ids[2:5], 7},
		{"last page", store.ListOptions{Offset: 5, Limit: 3}, ids[5:], 7},
		{"past the end", store.ListOptions{Offset: 9, Limit: 3}, nil, 7},
		{"trigger", store.ListOptions{TriggerID: triggers.CredentialsExchange}, []string{ids[1], ids[3], ids[5]}, 3},
		{"enabled", store.ListOptions{Enabled: ptr(true)}, []string{ids[3]}, 1},
		{"disabled of a trigger, paged", store.ListOptions{TriggerID: triggers.CredentialsExchange, Enabled: ptr(false), Limit: 1, Offset: 1}, []string{ids[5]}, 2},
		{"no match", store.ListOptions{TriggerID: triggers.SendPhoneMessage}, nil, 0},
	}
	for _, tt := range tests {
		l, err := s.ListHooks(ctx, tt.opts)
		if err != nil {
			t.Fatalf("%s: %v", tt.desc, err)
		}
		if got := listIDs(l); !slices.Equal(got, tt.want) || l.Total != tt.total {
			t.Errorf("%s: ids %v total %d, want %v total %d", tt.desc, got, l.Total, tt.want, tt.total)
		}
		if l.Hooks == nil {
			t.Errorf("%s: nil Hooks, want an empty slice", tt.desc)
		}
	}
	l, _ := s.ListHooks(ctx, store.ListOptions{Limit: 1})
	if h := l.Hooks[0]; h.Name != "hook 0" || h.Script == "" || h.Dependencies == nil {
		t.Errorf("listed hook %+v", h)
	}
}

func testUpdate(t *testing.T, s store.Store) {
	h := hook("before", triggers.PostChangePassword)
	h.Dependencies = map[string]string{"a": "1"}
	h.Secrets = map[string]string{"K": "v"}
	c := mustCreate(t, s, h)
	got, err := s.UpdateHook(ctx, c.ID, store.HookPatch{Name: ptr("After Update"), Script: ptr("new script")})
	if err != nil {
		t.Fatal(err)
	}
	if got.Name != "After Update" || got.Script != "new script" || got.Version != 2 ||
		!maps.Equal(got.Dependencies, map[string]string{"a": "1"}) || got.Secrets["K"] != "v" ||
		got.TriggerID != triggers.PostChangePassword || got.UpdatedAt.Before(got.CreatedAt) {
		t.Errorf("after patching name and script: %+v", got)
	}
	got, _ = s.UpdateHook(ctx, c.ID, store.HookPatch{Dependencies: map[string]string{"b": "2"}})
	if !maps.Equal(got.Dependencies, map[string]string{"b": "2"}) || got.Version != 3 {
		t.Errorf("after replacing dependencies: %+v", got)
	}
	got, _ = s.UpdateHook(ctx, c.ID, store.HookPatch{Dependencies: map[string]string{}})
	if len(got.Dependencies) != 0 || got.Dependencies == nil {
		t.Errorf("after clearing dependencies: %#v", got.Dependencies)
	}
	got, _ = s.UpdateHook(ctx, c.ID, store.HookPatch{})
	if got.Version != 5 || got.Name != "After Update" {
		t.Errorf("after an empty patch: %+v", got)
	}
	for _, p := range []store.HookPatch{{Name: ptr("bad_name")}, {Script: ptr("")}} {
		if _, err := s.UpdateHook(ctx, c.ID, p); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("invalid patch %+v: %v, want ErrInvalid", p, err)
		}
	}
	back, _ := s.GetHook(ctx, c.ID)
	if back.Version != 5 || back.Script != "new script" {
		t.Errorf("a refused patch changed the hook: %+v", back)
	}
}

func testOneEnabled(t *testing.T, s store.Store) {
	a := hook("a", triggers.CredentialsExchange)
	a.Enabled = true
	ha := mustCreate(t, s, a)
	other := hook("other trigger", triggers.SendPhoneMessage)
	other.Enabled = true
	ho := mustCreate(t, s, other)
	b := hook("b", triggers.CredentialsExchange)
	b.Enabled = true
	hb := mustCreate(t, s, b) // creating b enabled disables a
	enabled := func() []string {
		l, err := s.ListHooks(ctx, store.ListOptions{Enabled: ptr(true)})
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, h := range l.Hooks {
			names = append(names, h.Name)
		}
		return names
	}
	if got := enabled(); !slices.Equal(got, []string{"other trigger", "b"}) {
		t.Errorf("after creating b enabled: enabled %v, want [other trigger b]", got)
	}
	if back, _ := s.GetHook(ctx, ha.ID); back.Enabled || back.Version != 2 {
		t.Errorf("a after b was enabled: enabled %v version %d, want false 2", back.Enabled, back.Version)
	}
	if _, err := s.UpdateHook(ctx, ha.ID, store.HookPatch{Enabled: ptr(true)}); err != nil {
		t.Fatal(err)
	}
	if got := enabled(); !slices.Equal(got, []string{"a", "other trigger"}) {
		t.Errorf("after enabling a: enabled %v, want [a other trigger]", got)
	}
	if back, _ := s.GetHook(ctx, hb.ID); back.Enabled {
		t.Error("b still enabled after a was")
	}
	// Re-enabling the enabled hook keeps it enabled.
	if got, _ := s.UpdateHook(ctx, ha.ID, store.HookPatch{Enabled: ptr(true)}); !got.Enabled {
		t.Error("re-enabling a disabled it")
	}
	if _, err := s.UpdateHook(ctx, ho.ID, store.HookPatch{Enabled: ptr(false)}); err != nil {
		t.Fatal(err)
	}
	if got := enabled(); !slices.Equal(got, []string{"a"}) {
		t.Errorf("after disabling other: enabled %v, want [a]", got)
	}
}

func testEnabledHook(t *testing.T, s store.Store) {
	h := hook("runner", triggers.PreUserRegistration)
	h.Secrets = map[string]string{"TOKEN": "t0k3n"}
	c := mustCreate(t, s, h)
	if _, err := s.EnabledHook(ctx, triggers.PreUserRegistration); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("EnabledHook with none enabled: %v, want ErrNotFound", err)
	}
	if _, err := s.UpdateHook(ctx, c.ID, store.HookPatch{Enabled: ptr(true)}); err != nil {
		t.Fatal(err)
	}
	got, err := s.EnabledHook(ctx, triggers.PreUserRegistration)
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != c.ID || got.Secrets["TOKEN"] != "t0k3n" || got.Script != h.Script {
		t.Errorf("EnabledHook = %+v", got)
	}
	if _, err := s.EnabledHook(ctx, triggers.PostUserRegistration); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("EnabledHook of another trigger: %v, want ErrNotFound", err)
	}
}

func testDelete(t *testing.T, s store.Store) {
	h := hook("doomed", triggers.PreUserRegistration)
	h.Secrets = map[string]string{"A": "1"}
	h.Enabled = true
	c := mustCreate(t, s, h)
	if err := s.DeleteHook(ctx, c.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.GetHook(ctx, c.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("GetHook after delete: %v", err)
	}
	if err := s.DeleteHook(ctx, c.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("deleting twice: %v, want ErrNotFound", err)
	}
	if _, err := s.EnabledHook(ctx, triggers.PreUserRegistration); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("EnabledHook after deleting the enabled hook: %v", err)
	}
	// The name is free again, and the new hook has no leftover secrets.
	again := mustCreate(t, s, hook("doomed", triggers.PreUserRegistration))
	if names, _ := s.SecretNames(ctx, again.ID); len(names) != 0 {
		t.Errorf("a new hook of a deleted hook's name has secrets %v", names)
	}
}

func testSecrets(t *testing.T, s store.Store) {
	c := mustCreate(t, s, hook("with secrets", triggers.SendPhoneMessage))
	if names, err := s.SecretNames(ctx, c.ID); err != nil || names == nil || len(names) != 0 {
		t.Errorf("SecretNames of a new hook = %#v, %v; want an empty list", names, err)
	}
	if err := s.AddSecrets(ctx, c.ID, map[string]string{"B": "2", "A": "1"}); err != nil {
		t.Fatal(err)
	}
	if names, _ := s.SecretNames(ctx, c.ID); !slices.Equal(names, []string{"A", "B"}) {
		t.Errorf("SecretNames = %v, want [A B]", names)
	}
	if err := s.AddSecrets(ctx, c.ID, map[string]string{"C": "3", "A": "again"}); !errors.Is(err, store.ErrSecretExists) {
		t.Errorf("adding an existing secret: %v, want ErrSecretExists", err)
	}
	if err := s.UpdateSecrets(ctx, c.ID, map[string]string{"A": "one", "Z": "x"}); !errors.Is(err, store.ErrSecretNotFound) {
		t.Errorf("updating a missing secret: %v, want ErrSecretNotFound", err)
	}
	got, _ := s.GetHook(ctx, c.ID)
	if !maps.Equal(got.Secrets, map[string]string{"A": "1", "B": "2"}) {
		t.Errorf("refused changes changed the secrets: %v", got.Secrets)
	}
	if err := s.UpdateSecrets(ctx, c.ID, map[string]string{"A": "one"}); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteSecrets(ctx, c.ID, []string{"B", "never-there"}); err != nil {
		t.Fatal(err)
	}
	got, _ = s.GetHook(ctx, c.ID)
	if !maps.Equal(got.Secrets, map[string]string{"A": "one"}) {
		t.Errorf("secrets = %v, want A=one", got.Secrets)
	}
	if got.Version != 4 {
		t.Errorf("version after three secret changes = %d, want 4", got.Version)
	}
}

func testSecretLimits(t *testing.T, s store.Store) {
	c := mustCreate(t, s, hook("full", triggers.PreUserRegistration))
	batch := map[string]string{}
	for i := range store.MaxSecrets - 1 {
		batch[fmt.Sprintf("S%02d", i)] = "v"
	}
	if err := s.AddSecrets(ctx, c.ID, batch); err != nil {
		t.Fatal(err)
	}
	if err := s.AddSecrets(ctx, c.ID, map[string]string{"X": "1", "Y": "2"}); !errors.Is(err, store.ErrTooManySecrets) {
		t.Errorf("21 secrets: %v, want ErrTooManySecrets", err)
	}
	if err := s.AddSecrets(ctx, c.ID, map[string]string{"X": "1"}); err != nil {
		t.Errorf("the 20th secret: %v", err)
	}
	if err := s.AddSecrets(ctx, c.ID, map[string]string{"": "1"}); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("empty secret name: %v, want ErrInvalid", err)
	}
}

// testConcurrent has 50 goroutines create a hook each and patch it, enable
// hooks of one trigger and add secrets to shared hooks, all at once: no
// change may be lost, and exactly one hook of the trigger ends enabled.
func testConcurrent(t *testing.T, s store.Store) {
	const workers, patches = 50, 4
	shared := make([]*store.Hook, 5)
	for i := range shared {
		shared[i] = mustCreate(t, s, hook(fmt.Sprint("shared ", i), triggers.PostUserRegistration))
	}
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			h := hook(fmt.Sprint("worker ", w), triggers.CredentialsExchange)
			c, err := s.CreateHook(ctx, h)
			if err != nil {
				errs <- err
				return
			}
			for p := 1; p <= patches; p++ {
				if _, err := s.UpdateHook(ctx, c.ID, store.HookPatch{Script: ptr(fmt.Sprintf("// %d/%d", w, p))}); err != nil {
					errs <- err
					return
				}
			}
			if _, err := s.UpdateHook(ctx, c.ID, store.HookPatch{Enabled: ptr(true)}); err != nil {
				errs <- err
				return
			}
			if err := s.AddSecrets(ctx, shared[w%len(shared)].ID, map[string]string{fmt.Sprint("W", w): fmt.Sprint(w)}); err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	l, err := s.ListHooks(ctx, store.ListOptions{TriggerID: triggers.CredentialsExchange})
	if err != nil {
		t.Fatal(err)
	}
	if l.Total != workers {
		t.Fatalf("%d hooks, want %d", l.Total, workers)
	}
	enabled := 0
	for _, h := range l.Hooks {
		var w int
		fmt.Sscanf(h.Name, "worker %d", &w)
		if want := fmt.Sprintf("// %d/%d", w, patches); h.Script != want {
			t.Errorf("%s: script %q, want %q", h.Name, h.Script, want)
		}
		if h.Enabled {
			enabled++
		}
		// Created (1), patched, enabled (1), maybe disabled by others.
		if h.Version < 2+patches {
			t.Errorf("%s: version %d, want at least %d", h.Name, h.Version, 2+patches)
		}
	}
	if enabled != 1 {
		t.Errorf("%d enabled credentials-exchange hooks, want 1", enabled)
	}
	for i, sh := range shared {
		names, err := s.SecretNames(ctx, sh.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(names) != workers/len(shared) {
			t.Errorf("shared hook %d has %d secrets %v, want %d", i, len(names), names, workers/len(shared))
		}
	}
}

func testCancelled(t *testing.T, s store.Store) {
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := s.CreateHook(cctx, hook("never", triggers.PreUserRegistration)); err == nil {
		t.Error("CreateHook with a cancelled context succeeded")
	}
	if l, _ := s.ListHooks(ctx, store.ListOptions{}); l.Total != 0 {
		t.Error("a cancelled CreateHook stored the hook")
	}
}

func testClosed(t *testing.T, s store.Store) {
	c := mustCreate(t, s, hook("x", triggers.PreUserRegistration))
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if _, err := s.GetHook(ctx, c.ID); !errors.Is(err, store.ErrClosed) {
		t.Errorf("GetHook after Close: %v, want ErrClosed", err)
	}
	if _, err := s.CreateHook(ctx, hook("y", triggers.PreUserRegistration)); !errors.Is(err, store.ErrClosed) {
		t.Errorf("CreateHook after Close: %v, want ErrClosed", err)
	}
	if _, err := s.ListHooks(ctx, store.ListOptions{}); !errors.Is(err, store.ErrClosed) {
		t.Errorf("ListHooks after Close: %v, want ErrClosed", err)
	}
}
