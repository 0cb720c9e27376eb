package runner

import (
	"context"
	"errors"
	"fmt"

	"github.com/hookengine/hookengine/engine"
	"github.com/hookengine/hookengine/store"
	"github.com/hookengine/hookengine/triggers"
)

// ErrNoHookEnabled reports a trigger with no enabled hook: nothing ran. On
// Auth0 the flow went on as if no hook existed.
var ErrNoHookEnabled = errors.New("runner: no hook enabled for the extensibility point")

// ErrHookNotFound reports RunHook of an id the store does not have.
var ErrHookNotFound = errors.New("runner: hook not found")

// Runner runs stored hooks on an engine. It owns neither: closing them is the
// caller's business. A Runner is safe for concurrent use.
type Runner struct {
	store  store.Store
	engine *engine.Engine
	limits map[string]engine.Limits
}

// An Option configures a Runner.
type Option func(*Runner)

// WithHookLimits gives single hooks their own limits, by hook id or name
// (an id wins over a name): they replace the engine's limits field by field
// (zero fields keep the engine's). They are the operator's: nothing stored
// with a hook can change them.
func WithHookLimits(limits map[string]engine.Limits) Option {
	return func(r *Runner) { r.limits = limits }
}

// New returns a Runner of the hooks in s, run on e.
func New(s store.Store, e *engine.Engine, opts ...Option) *Runner {
	r := &Runner{store: s, engine: e}
	for _, o := range opts {
		o(r)
	}
	return r
}

// RunTrigger runs the enabled hook of trigger t on input, as engine.Run does
// (see there for input, the result and the errors). When no hook of t is
// enabled it returns a nil result and an error wrapping ErrNoHookEnabled;
// an unknown trigger gives an error wrapping engine.ErrUnknownTrigger, and
// a failing store its error.
func (r *Runner) RunTrigger(ctx context.Context, t triggers.ID, input any) (*engine.Result, error) {
	h, err := r.enabled(ctx, t)
	if err != nil {
		return nil, err
	}
	return r.engine.Run(ctx, r.engineHook(h), input)
}

// RunTriggerAsync starts the enabled hook of trigger t on input in the
// background and returns at once, as Auth0 ran post-user-registration and
// post-change-password hooks (see engine.RunAsync). It returns an error only
// when nothing was started: ErrNoHookEnabled, an unknown trigger, a failing
// store, a closed engine.
func (r *Runner) RunTriggerAsync(ctx context.Context, t triggers.ID, input any) error {
	h, err := r.enabled(ctx, t)
	if err != nil {
		return err
	}
	return r.engine.RunAsync(ctx, r.engineHook(h), input)
}

// RunHook runs the stored hook with the given id on input, enabled or not,
// as Auth0's Dashboard runner did. A missing hook gives a nil result and an
// error wrapping ErrHookNotFound.
func (r *Runner) RunHook(ctx context.Context, id string, input any) (*engine.Result, error) {
	h, err := r.store.GetHook(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, fmt.Errorf("%w: %q", ErrHookNotFound, id)
	}
	if err != nil {
		return nil, err
	}
	return r.engine.Run(ctx, r.engineHook(h), input)
}

// Run runs h, a hook read from the store, on input: what RunTrigger and
// RunHook do once they have the hook, for callers that read it themselves
// (to use its secrets or its name in their answer, say).
func (r *Runner) Run(ctx context.Context, h *store.Hook, input any) (*engine.Result, error) {
	return r.engine.Run(ctx, r.engineHook(h), input)
}

// Limits returns the limits stored hooks run with: the engine's (stored
// hooks have no limits of their own).
func (r *Runner) Limits() engine.Limits { return r.engine.Limits() }

func (r *Runner) enabled(ctx context.Context, t triggers.ID) (*store.Hook, error) {
	if _, ok := triggers.Lookup(t); !ok {
		return nil, fmt.Errorf("runner: %w %q", engine.ErrUnknownTrigger, t)
	}
	h, err := r.store.EnabledHook(ctx, t)
	if errors.Is(err, store.ErrNotFound) {
		return nil, fmt.Errorf("%w: %s", ErrNoHookEnabled, t)
	}
	return h, err
}

// engineHook is the engine's view of a stored hook, with its limits.
func (r *Runner) engineHook(h *store.Hook) engine.Hook {
	l, ok := r.limits[h.ID]
	if !ok {
		l = r.limits[h.Name]
	}
	return engine.Hook{ID: h.ID, Name: h.Name, Trigger: h.TriggerID, Script: h.Script, Secrets: h.Secrets,
		Dependencies: h.Dependencies, Limits: l}
}
