package deploycli

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/hookengine/hookengine/store"
	"github.com/hookengine/hookengine/triggers"
)

// Action is what a Change does.
type Action string

// The actions, in the order Apply takes them.
const (
	ActionDelete Action = "delete"
	ActionUpdate Action = "update"
	ActionCreate Action = "create"
	ActionKeep   Action = "keep" // unchanged, or left alone
)

// Change is one step of a Plan, for one hook.
type Change struct {
	// Action is what happens to the hook.
	Action Action
	// Name is the hook's name: the files' for a creation or an update, the
	// target's for a deletion or a hook left alone.
	Name string
	// TriggerID is the hook's extensibility point.
	TriggerID triggers.ID
	// ID is the target's id of the hook (empty for a creation).
	ID string
	// Hook is the hook from the files (nil for a deletion or a hook left
	// alone).
	Hook *Hook
	// Patch holds the fields an update changes.
	Patch store.HookPatch
	// Fields names the changed fields of an update, for people.
	Fields []string
	// AddSecrets, UpdateSecrets and DeleteSecrets are the secret changes,
	// made as deploy-cli made them: names the target lacks are added,
	// values other than store.HiddenSecretValue are updated, and names the
	// files lack are deleted.
	AddSecrets map[string]string
	// UpdateSecrets are the new values of existing secrets.
	UpdateSecrets map[string]string
	// DeleteSecrets are the names of secrets to remove.
	DeleteSecrets []string
	// Note says why a hook is kept, or what else the change does.
	Note string
}

// Plan is what an import does, computed and checked before anything is
// written.
type Plan struct {
	// Changes has one change per hook: deletions, updates, creations,
	// then the hooks kept as they are.
	Changes []Change
	// Warnings are things worth telling that do not stop the import, such
	// as secrets created with the hidden placeholder as their value.
	Warnings []string
}

// PlanOptions tune NewPlan.
type PlanOptions struct {
	// AllowDelete deletes the target's hooks the files do not describe
	// (deploy-cli's AUTH0_ALLOW_DELETE). Without it they are left alone.
	AllowDelete bool
	// Check, when set, checks each hook of the files (typically that its
	// script compiles); an error is a problem that stops the import.
	Check func(Hook) error
}

type hookKey struct {
	name    string
	trigger triggers.ID
}

// NewPlan compares the hooks of the files with the target's and returns
// what an import would do. Hooks are matched by name (by its key,
// store.NormalizeName) and
// trigger, as deploy-cli matched them. Every problem is found before
// anything is written, and reported at once as a *ValidationError: names
// that are invalid or clash, more than one enabled hook for a trigger,
// scripts that Check refuses, a name the target uses for a hook of another
// trigger that would not be deleted.
func NewPlan(ctx context.Context, target Target, hooks []Hook, opts PlanOptions) (*Plan, error) {
	var problems []string
	p := &Plan{}

	// The files on their own.
	local := map[hookKey]*Hook{}
	byName := map[string]*Hook{}
	enabled := map[triggers.ID][]string{}
	for i := range hooks {
		h := &hooks[i]
		norm := store.NormalizeName(h.Name)
		if prev, dup := byName[norm]; dup {
			problems = append(problems, fmt.Sprintf("%s: name %q is the name of %s once normalised (%q): hook names are unique",
				h.Source, h.Name, prev.Source, norm))
			continue
		}
		byName[norm] = h
		local[hookKey{norm, h.TriggerID}] = h
		if h.Enabled {
			enabled[h.TriggerID] = append(enabled[h.TriggerID], h.Name)
		}
		if len(h.Secrets) > store.MaxSecrets {
			problems = append(problems, fmt.Sprintf("%s: %d secrets: a hook can have at most %d", h.Source, len(h.Secrets), store.MaxSecrets))
		}
		if opts.Check != nil {
			if err := opts.Check(*h); err != nil {
				problems = append(problems, fmt.Sprintf("%s: %v", h.Source, err))
			}
		}
	}
	for _, t := range triggers.IDs() {
		if names := enabled[t]; len(names) > 1 {
			problems = append(problems, fmt.Sprintf("Only one active hook allowed for %q extensibility point. Conflicting hooks: %s",
				t, strings.Join(names, ", ")))
		}
	}

	// Against the target.
	remote, err := target.Hooks(ctx)
	if err != nil {
		return nil, fmt.Errorf("deploycli: reading the target's hooks: %w", err)
	}
	matched := map[string]bool{}
	remoteByKey := map[hookKey]TargetHook{}
	remoteByName := map[string]TargetHook{}
	for _, r := range remote {
		norm := store.NormalizeName(r.Name)
		remoteByKey[hookKey{norm, r.TriggerID}] = r
		remoteByName[norm] = r
	}
	for i := range hooks {
		h := &hooks[i]
		norm := store.NormalizeName(h.Name)
		if byName[norm] != h {
			continue // a duplicate, reported above
		}
		if r, ok := remoteByKey[hookKey{norm, h.TriggerID}]; ok {
			matched[r.ID] = true
			p.Changes = append(p.Changes, updateChange(h, r))
			continue
		}
		if r, ok := remoteByName[norm]; ok {
			if _, keptLocally := local[hookKey{norm, r.TriggerID}]; keptLocally || !opts.AllowDelete {
				problems = append(problems, fmt.Sprintf("%s: the name %q is taken by the %s hook %s (named %q), and names are unique across triggers: rename one, or delete that hook (--allow-delete deletes hooks the files do not describe)",
					h.Source, h.Name, r.TriggerID, r.ID, r.Name))
				continue
			}
		}
		c := Change{Action: ActionCreate, Name: h.Name, TriggerID: h.TriggerID, Hook: h, AddSecrets: maps.Clone(h.Secrets)}
		for _, k := range slices.Sorted(maps.Keys(h.Secrets)) {
			if h.Secrets[k] == store.HiddenSecretValue {
				p.Warnings = append(p.Warnings, fmt.Sprintf("%s: secret %s has no value (%s): it is created with that placeholder as its value; set the real one afterwards",
					h.Source, k, store.HiddenSecretValue))
			}
		}
		if len(c.AddSecrets) == 0 {
			c.AddSecrets = nil
		}
		p.Changes = append(p.Changes, c)
	}
	for _, r := range remote {
		if matched[r.ID] {
			continue
		}
		if opts.AllowDelete {
			p.Changes = append(p.Changes, Change{Action: ActionDelete, Name: r.Name, TriggerID: r.TriggerID, ID: r.ID})
			continue
		}
		c := Change{Action: ActionKeep, Name: r.Name, TriggerID: r.TriggerID, ID: r.ID, Note: "not in the files: left alone (--allow-delete deletes it)"}
		if r.Enabled && len(enabled[r.TriggerID]) > 0 {
			c.Note = fmt.Sprintf("not in the files: left alone, and disabled as %s is enabled", enabled[r.TriggerID][0])
			p.Warnings = append(p.Warnings, fmt.Sprintf("enabling %s disables %s, the enabled %s hook the files do not describe",
				enabled[r.TriggerID][0], r.Name, r.TriggerID))
		}
		p.Changes = append(p.Changes, c)
	}
	if len(problems) > 0 {
		return nil, &ValidationError{Problems: problems}
	}
	slices.SortStableFunc(p.Changes, func(a, b Change) int { return actionOrder(a.Action) - actionOrder(b.Action) })
	return p, nil
}

func actionOrder(a Action) int {
	return slices.Index([]Action{ActionDelete, ActionUpdate, ActionCreate, ActionKeep}, a)
}

// updateChange compares a hook of the files with the target's.
func updateChange(h *Hook, r TargetHook) Change {
	c := Change{Action: ActionUpdate, Name: h.Name, TriggerID: h.TriggerID, ID: r.ID, Hook: h}
	if h.Name != r.Name {
		// Matched by key: the target gets the name as the files have it.
		c.Patch.Name = &h.Name
		c.Fields = append(c.Fields, "name")
	}
	if h.Script != r.Script {
		c.Patch.Script = &h.Script
		c.Fields = append(c.Fields, "script")
	}
	if h.Enabled != r.Enabled {
		c.Patch.Enabled = &h.Enabled
		c.Fields = append(c.Fields, "enabled")
	}
	if !maps.Equal(h.Dependencies, r.Dependencies) && !(len(h.Dependencies) == 0 && len(r.Dependencies) == 0) {
		c.Patch.Dependencies = maps.Clone(h.Dependencies)
		if c.Patch.Dependencies == nil {
			c.Patch.Dependencies = map[string]string{}
		}
		c.Fields = append(c.Fields, "dependencies")
	}
	add, upd := map[string]string{}, map[string]string{}
	for _, k := range slices.Sorted(maps.Keys(h.Secrets)) {
		switch {
		case !slices.Contains(r.SecretNames, k):
			add[k] = h.Secrets[k]
		case h.Secrets[k] != store.HiddenSecretValue:
			upd[k] = h.Secrets[k]
		}
	}
	for _, k := range r.SecretNames {
		if _, ok := h.Secrets[k]; !ok {
			c.DeleteSecrets = append(c.DeleteSecrets, k)
		}
	}
	if len(add) > 0 {
		c.AddSecrets = add
	}
	if len(upd) > 0 {
		c.UpdateSecrets = upd
	}
	if len(c.Fields) == 0 && c.AddSecrets == nil && c.UpdateSecrets == nil && c.DeleteSecrets == nil {
		c.Action, c.Note = ActionKeep, "unchanged"
	}
	return c
}

// Empty reports whether the plan changes nothing.
func (p *Plan) Empty() bool {
	for _, c := range p.Changes {
		if c.Action != ActionKeep {
			return false
		}
	}
	return true
}

// Lines describe the plan, one line per hook, for people.
func (p *Plan) Lines() []string {
	var lines []string
	for _, c := range p.Changes {
		line := fmt.Sprintf("%-7s %-22s %s", c.Action, c.TriggerID, c.Name)
		var details []string
		if c.Action == ActionCreate && c.Hook != nil && c.Hook.Enabled {
			details = append(details, "enabled")
		}
		if len(c.Fields) > 0 {
			details = append(details, strings.Join(c.Fields, ", "))
		}
		if len(c.AddSecrets) > 0 {
			details = append(details, "add secrets "+strings.Join(slices.Sorted(maps.Keys(c.AddSecrets)), ", "))
		}
		if len(c.UpdateSecrets) > 0 {
			details = append(details, "update secrets "+strings.Join(slices.Sorted(maps.Keys(c.UpdateSecrets)), ", "))
		}
		if len(c.DeleteSecrets) > 0 {
			details = append(details, "delete secrets "+strings.Join(c.DeleteSecrets, ", "))
		}
		if c.Note != "" {
			details = append(details, c.Note)
		}
		if len(details) > 0 {
			line += ": " + strings.Join(details, "; ")
		}
		lines = append(lines, line)
	}
	return lines
}

// Apply carries the plan out on target: deletions first (freeing names),
// then updates (those that disable a hook before those that enable one),
// then creations, and for each hook its secrets. It stops at the first
// error, which says which hook failed; the plan was checked beforehand, so
// only a target that changed meanwhile, or fails, makes it fail.
func (p *Plan) Apply(ctx context.Context, target Target) error {
	changes := slices.Clone(p.Changes)
	slices.SortStableFunc(changes, func(a, b Change) int {
		if d := actionOrder(a.Action) - actionOrder(b.Action); d != 0 {
			return d
		}
		return enables(a) - enables(b)
	})
	for _, c := range changes {
		var err error
		switch c.Action {
		case ActionDelete:
			err = target.Delete(ctx, c.ID)
		case ActionUpdate:
			if len(c.Fields) > 0 {
				err = target.Update(ctx, c.ID, c.Patch)
			}
			if err == nil {
				err = applySecrets(ctx, target, c.ID, c)
			}
		case ActionCreate:
			var id string
			id, err = target.Create(ctx, *c.Hook)
			if err == nil {
				err = applySecrets(ctx, target, id, c)
			}
		}
		if err != nil {
			return fmt.Errorf("deploycli: %s %s (%s): %w", c.Action, c.Name, c.TriggerID, err)
		}
	}
	return nil
}

// enables is 1 for a change that enables a hook, so those come last.
func enables(c Change) int {
	if c.Patch.Enabled != nil && *c.Patch.Enabled || c.Action == ActionCreate && c.Hook != nil && c.Hook.Enabled {
		return 1
	}
	return 0
}

func applySecrets(ctx context.Context, target Target, id string, c Change) error {
	if len(c.DeleteSecrets) > 0 {
		if err := target.DeleteSecrets(ctx, id, c.DeleteSecrets); err != nil {
			return err
		}
	}
	if len(c.UpdateSecrets) > 0 {
		if err := target.UpdateSecrets(ctx, id, c.UpdateSecrets); err != nil {
			return err
		}
	}
	if len(c.AddSecrets) > 0 {
		if err := target.AddSecrets(ctx, id, c.AddSecrets); err != nil {
			return err
		}
	}
	return nil
}

// Export reads every hook of target, as deploy-cli exported them: secrets
// by name, each value store.HiddenSecretValue. Hooks are sorted by name.
func Export(ctx context.Context, target Target) ([]Hook, error) {
	remote, err := target.Hooks(ctx)
	if err != nil {
		return nil, err
	}
	hooks := make([]Hook, 0, len(remote))
	for _, r := range remote {
		h := Hook{Name: r.Name, TriggerID: r.TriggerID, Enabled: r.Enabled, Script: r.Script,
			Dependencies: maps.Clone(r.Dependencies), Secrets: map[string]string{}, Source: r.ID}
		for _, n := range r.SecretNames {
			h.Secrets[n] = store.HiddenSecretValue
		}
		hooks = append(hooks, h)
	}
	slices.SortFunc(hooks, func(a, b Hook) int { return strings.Compare(a.Name, b.Name) })
	return hooks, nil
}
