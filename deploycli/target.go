package deploycli

import (
	"context"
	"maps"
	"slices"

	"github.com/hookengine/hookengine/mgmtapi"
	"github.com/hookengine/hookengine/store"
	"github.com/hookengine/hookengine/triggers"
)

// TargetHook is a hook a target holds: everything but its secret values,
// which no target shows.
type TargetHook struct {
	// ID is the target's id of the hook.
	ID string
	// Name is the hook's name as the target has it.
	Name string
	// TriggerID is the hook's extensibility point.
	TriggerID triggers.ID
	// Enabled reports whether the hook runs for its trigger.
	Enabled bool
	// Script is the hook's source.
	Script string
	// Dependencies are npm package versions by name.
	Dependencies map[string]string
	// SecretNames are the names of its secrets, sorted.
	SecretNames []string
}

// Target is where hooks are imported to and exported from: a local store
// (NewStoreTarget) or a server's Management API (NewClientTarget). Its
// methods mirror the API's endpoints.
type Target interface {
	// Hooks returns every hook, ordered by id.
	Hooks(ctx context.Context) ([]TargetHook, error)
	// Create creates a hook without secrets and returns its id.
	Create(ctx context.Context, h Hook) (string, error)
	// Update changes a hook.
	Update(ctx context.Context, id string, p store.HookPatch) error
	// Delete deletes a hook.
	Delete(ctx context.Context, id string) error
	// AddSecrets, UpdateSecrets and DeleteSecrets change a hook's secrets.
	AddSecrets(ctx context.Context, id string, secrets map[string]string) error
	UpdateSecrets(ctx context.Context, id string, secrets map[string]string) error
	DeleteSecrets(ctx context.Context, id string, names []string) error
}

// NewStoreTarget returns a target that reads and writes s directly.
func NewStoreTarget(s store.Store) Target { return storeTarget{s} }

type storeTarget struct{ s store.Store }

func (t storeTarget) Hooks(ctx context.Context) ([]TargetHook, error) {
	l, err := t.s.ListHooks(ctx, store.ListOptions{})
	if err != nil {
		return nil, err
	}
	out := make([]TargetHook, 0, len(l.Hooks))
	for _, h := range l.Hooks {
		names, err := t.s.SecretNames(ctx, h.ID)
		if err != nil {
			return nil, err
		}
		out = append(out, TargetHook{ID: h.ID, Name: h.Name, TriggerID: h.TriggerID, Enabled: h.Enabled,
			Script: h.Script, Dependencies: h.Dependencies, SecretNames: names})
	}
	return out, nil
}

func (t storeTarget) Create(ctx context.Context, h Hook) (string, error) {
	c, err := t.s.CreateHook(ctx, &store.Hook{Name: h.Name, TriggerID: h.TriggerID, Script: h.Script,
		Enabled: h.Enabled, Dependencies: h.Dependencies})
	if err != nil {
		return "", err
	}
	return c.ID, nil
}

func (t storeTarget) Update(ctx context.Context, id string, p store.HookPatch) error {
	_, err := t.s.UpdateHook(ctx, id, p)
	return err
}

func (t storeTarget) Delete(ctx context.Context, id string) error { return t.s.DeleteHook(ctx, id) }

func (t storeTarget) AddSecrets(ctx context.Context, id string, s map[string]string) error {
	return t.s.AddSecrets(ctx, id, s)
}

func (t storeTarget) UpdateSecrets(ctx context.Context, id string, s map[string]string) error {
	return t.s.UpdateSecrets(ctx, id, s)
}

func (t storeTarget) DeleteSecrets(ctx context.Context, id string, names []string) error {
	return t.s.DeleteSecrets(ctx, id, names)
}

// NewClientTarget returns a target that calls a server's Management API
// through c: the token needs read:hooks to export, and create:hooks,
// update:hooks and delete:hooks to import.
func NewClientTarget(c *mgmtapi.Client) Target { return clientTarget{c} }

type clientTarget struct{ c *mgmtapi.Client }

func (t clientTarget) Hooks(ctx context.Context) ([]TargetHook, error) {
	list, err := t.c.ListHooks(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]TargetHook, 0, len(list))
	for _, h := range list {
		if h.Script == "" {
			// Auth0's list left scripts out; read the hook itself.
			full, err := t.c.GetHook(ctx, h.ID)
			if err != nil {
				return nil, err
			}
			h = *full
		}
		secrets, err := t.c.Secrets(ctx, h.ID)
		if err != nil {
			return nil, err
		}
		deps := h.Dependencies
		if deps == nil {
			deps = map[string]string{}
		}
		out = append(out, TargetHook{ID: h.ID, Name: h.Name, TriggerID: triggers.ID(h.TriggerID), Enabled: h.Enabled,
			Script: h.Script, Dependencies: deps, SecretNames: slices.Sorted(maps.Keys(secrets))})
	}
	return out, nil
}

func (t clientTarget) Create(ctx context.Context, h Hook) (string, error) {
	enabled := h.Enabled
	c, err := t.c.CreateHook(ctx, mgmtapi.CreateHookRequest{Name: h.Name, Script: h.Script, TriggerID: string(h.TriggerID),
		Enabled: &enabled, Dependencies: h.Dependencies})
	if err != nil {
		return "", err
	}
	return c.ID, nil
}

func (t clientTarget) Update(ctx context.Context, id string, p store.HookPatch) error {
	_, err := t.c.UpdateHook(ctx, id, mgmtapi.UpdateHookRequest{Name: p.Name, Script: p.Script, Enabled: p.Enabled, Dependencies: p.Dependencies})
	return err
}

func (t clientTarget) Delete(ctx context.Context, id string) error { return t.c.DeleteHook(ctx, id) }

func (t clientTarget) AddSecrets(ctx context.Context, id string, s map[string]string) error {
	return t.c.AddSecrets(ctx, id, s)
}

func (t clientTarget) UpdateSecrets(ctx context.Context, id string, s map[string]string) error {
	return t.c.UpdateSecrets(ctx, id, s)
}

func (t clientTarget) DeleteSecrets(ctx context.Context, id string, names []string) error {
	return t.c.DeleteSecrets(ctx, id, names)
}
