package store

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/hookengine/hookengine/internal/ulid"
	"github.com/hookengine/hookengine/triggers"
)

// Memory is a Store that keeps hooks in memory, for tests and for embedders
// that load their hooks from elsewhere. Secrets are kept as they are, not
// encrypted: nothing is at rest. A Memory is safe for concurrent use; the
// zero value is not ready to use, call NewMemory.
type Memory struct {
	now func() time.Time
	ids ulid.Generator

	mu     sync.RWMutex
	hooks  map[string]*Hook
	closed bool
}

var _ Store = (*Memory)(nil)

// NewMemory returns an empty in-memory store.
func NewMemory() *Memory {
	return &Memory{now: time.Now, hooks: map[string]*Hook{}}
}

// CreateHook implements Store.
func (m *Memory) CreateHook(ctx context.Context, h *Hook) (*Hook, error) {
	c, err := checkHook(h)
	if err != nil {
		return nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.usable(ctx); err != nil {
		return nil, err
	}
	if err := m.nameFree(c.Name, ""); err != nil {
		return nil, err
	}
	now := m.now().UTC()
	c.ID = m.ids.New(now)
	c.CreatedAt, c.UpdatedAt, c.Version = now, now, 1
	if c.Enabled {
		m.disableOthers(c.TriggerID, c.ID, now)
	}
	m.hooks[c.ID] = c
	return c.Clone(), nil
}

// GetHook implements Store.
func (m *Memory) GetHook(ctx context.Context, id string) (*Hook, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	h, err := m.hook(ctx, id)
	if err != nil {
		return nil, err
	}
	return h.Clone(), nil
}

// ListHooks implements Store.
func (m *Memory) ListHooks(ctx context.Context, opts ListOptions) (*HookList, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	if err := m.usable(ctx); err != nil {
		return nil, err
	}
	var sel []*Hook
	for _, id := range slices.Sorted(maps.Keys(m.hooks)) {
		h := m.hooks[id]
		if opts.TriggerID != "" && h.TriggerID != opts.TriggerID {
			continue
		}
		if opts.Enabled != nil && h.Enabled != *opts.Enabled {
			continue
		}
		sel = append(sel, h)
	}
	list := &HookList{Total: len(sel), Hooks: []*Hook{}}
	if opts.Offset >= len(sel) {
		return list, nil
	}
	sel = sel[max(opts.Offset, 0):]
	if opts.Limit > 0 && opts.Limit < len(sel) {
		sel = sel[:opts.Limit]
	}
	for _, h := range sel {
		c := h.Clone()
		c.Secrets = nil
		list.Hooks = append(list.Hooks, c)
	}
	return list, nil
}

// UpdateHook implements Store.
func (m *Memory) UpdateHook(ctx context.Context, id string, p HookPatch) (*Hook, error) {
	p, err := checkPatch(p)
	if err != nil {
		return nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	h, err := m.hook(ctx, id)
	if err != nil {
		return nil, err
	}
	if p.Name != nil {
		if err := m.nameFree(*p.Name, id); err != nil {
			return nil, err
		}
	}
	now := m.now().UTC()
	if p.applyTo(h) {
		m.disableOthers(h.TriggerID, id, now)
	}
	m.touch(h, now)
	return h.Clone(), nil
}

// DeleteHook implements Store.
func (m *Memory) DeleteHook(ctx context.Context, id string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, err := m.hook(ctx, id); err != nil {
		return err
	}
	delete(m.hooks, id)
	return nil
}

// EnabledHook implements Store.
func (m *Memory) EnabledHook(ctx context.Context, t triggers.ID) (*Hook, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	if err := m.usable(ctx); err != nil {
		return nil, err
	}
	for _, h := range m.hooks {
		if h.TriggerID == t && h.Enabled {
			return h.Clone(), nil
		}
	}
	return nil, fmt.Errorf("%w: no hook enabled for %q", ErrNotFound, t)
}

// SecretNames implements Store.
func (m *Memory) SecretNames(ctx context.Context, id string) ([]string, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	h, err := m.hook(ctx, id)
	if err != nil {
		return nil, err
	}
	return h.SecretNames(), nil
}

// AddSecrets implements Store.
func (m *Memory) AddSecrets(ctx context.Context, id string, secrets map[string]string) error {
	if err := checkSecretNames(slices.Collect(maps.Keys(secrets))); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	h, err := m.hook(ctx, id)
	if err != nil {
		return err
	}
	for _, name := range slices.Sorted(maps.Keys(secrets)) {
		if _, dup := h.Secrets[name]; dup {
			return fmt.Errorf("%w: %q", ErrSecretExists, name)
		}
	}
	if n := len(h.Secrets) + len(secrets); n > MaxSecrets {
		return fmt.Errorf("%w: the hook would have %d", ErrTooManySecrets, n)
	}
	maps.Copy(h.Secrets, secrets)
	m.touch(h, m.now().UTC())
	return nil
}

// UpdateSecrets implements Store.
func (m *Memory) UpdateSecrets(ctx context.Context, id string, secrets map[string]string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	h, err := m.hook(ctx, id)
	if err != nil {
		return err
	}
	for _, name := range slices.Sorted(maps.Keys(secrets)) {
		if _, ok := h.Secrets[name]; !ok {
			return fmt.Errorf("%w: %q", ErrSecretNotFound, name)
		}
	}
	maps.Copy(h.Secrets, secrets)
	m.touch(h, m.now().UTC())
	return nil
}

// DeleteSecrets implements Store.
func (m *Memory) DeleteSecrets(ctx context.Context, id string, names []string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	h, err := m.hook(ctx, id)
	if err != nil {
		return err
	}
	for _, n := range names {
		delete(h.Secrets, n)
	}
	m.touch(h, m.now().UTC())
	return nil
}

// hook returns the stored hook id, once ctx and the store are usable.
// Callers hold mu.
func (m *Memory) hook(ctx context.Context, id string) (*Hook, error) {
	if err := m.usable(ctx); err != nil {
		return nil, err
	}
	h, ok := m.hooks[id]
	if !ok {
		return nil, notFound(id)
	}
	return h, nil
}

// Close implements Store: later calls fail with ErrClosed.
func (m *Memory) Close() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.closed = true
	return nil
}

// usable reports why the store cannot be used now, if it cannot. Callers
// hold m.mu.
func (m *Memory) usable(ctx context.Context) error {
	if m.closed {
		return ErrClosed
	}
	return ctx.Err()
}

// nameFree fails with ErrNameTaken when a hook other than except has a
// name with the same key. Callers hold m.mu.
func (m *Memory) nameFree(name, except string) error {
	key := NormalizeName(name)
	for id, h := range m.hooks {
		if id != except && NormalizeName(h.Name) == key {
			return nameTaken(name, h.Name, id)
		}
	}
	return nil
}

// disableOthers disables the enabled hook of trigger t other than except.
// Callers hold m.mu for writing.
func (m *Memory) disableOthers(t triggers.ID, except string, now time.Time) {
	for id, h := range m.hooks {
		if id != except && h.TriggerID == t && h.Enabled {
			h.Enabled = false
			m.touch(h, now)
		}
	}
}

func (m *Memory) touch(h *Hook, now time.Time) {
	h.UpdatedAt = now
	h.Version++
}
