package store

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/hookengine/hookengine/triggers"
)

// Limits of the hook record, as Auth0's Management API set them where it set
// any.
const (
	// MaxSecrets is how many secrets one hook may have: "You may create up
	// to 20 secrets for any given Hook."
	MaxSecrets = 20
	// MaxNameLength bounds a hook's name. Auth0 documented no bound; this
	// one keeps names usable as file names when hooks are exported.
	MaxNameLength = 200
	// HiddenSecretValue is what Auth0's API shows instead of a secret's
	// value, trailing underscore included. No API of hookengine returns a
	// secret's value either.
	HiddenSecretValue = "_VALUE_NOT_SHOWN_"
)

// Errors of the Store methods. They are returned wrapped, with details such
// as the name concerned; test for them with errors.Is.
var (
	// ErrNotFound reports a hook id that does not exist (or no longer
	// does), and, from EnabledHook, a trigger without an enabled hook.
	ErrNotFound = errors.New("store: hook not found")
	// ErrNameTaken reports a name whose key (NormalizeName) another hook's
	// name has. Names are unique across all triggers.
	ErrNameTaken = errors.New("store: a hook with the same name already exists")
	// ErrSecretExists reports AddSecrets of a name the hook already has.
	ErrSecretExists = errors.New("store: a secret with the same name already exists")
	// ErrSecretNotFound reports UpdateSecrets of a name the hook does not
	// have.
	ErrSecretNotFound = errors.New("store: secret not found")
	// ErrTooManySecrets reports a change that would leave a hook with more
	// than MaxSecrets secrets.
	ErrTooManySecrets = errors.New("store: a hook can have at most 20 secrets")
	// ErrInvalid reports a hook or secret the store refuses: an empty
	// script, a name CheckName refuses, an unknown trigger, an
	// empty secret name... The API layers check their input first, with
	// their own messages; this is the store's last line of defence.
	ErrInvalid = errors.New("store: invalid hook")
	// ErrClosed is returned by every method after Close.
	ErrClosed = errors.New("store: closed")
)

// Hook is the stored form of a hook: Auth0's hook resource plus its secrets.
// A Hook returned by a Store belongs to the caller, who may modify it freely.
type Hook struct {
	// ID is a 26-character sortable id, assigned by CreateHook.
	ID string
	// Name is the name exactly as it was given (see CheckName). Names are
	// unique across all hooks under the key NormalizeName gives them.
	Name string
	// Script is the JavaScript source of the hook.
	Script string
	// TriggerID is the extensibility point of the hook; it never changes.
	TriggerID triggers.ID
	// Enabled reports whether the hook runs for its trigger. At most one
	// hook per trigger is enabled at a time: enabling one disables the
	// other (see Store).
	Enabled bool
	// Dependencies are npm package names and versions, as Auth0 kept them.
	// They are stored and returned; hookengine installs nothing.
	Dependencies map[string]string
	// Secrets are the hook's secret values by name. GetHook and EnabledHook
	// fill them; ListHooks leaves them nil.
	Secrets map[string]string
	// CreatedAt and UpdatedAt are set by the store. UpdatedAt changes with
	// every change to the hook or its secrets.
	CreatedAt, UpdatedAt time.Time
	// Version starts at 1 and grows by one with every change to the hook or
	// to its secrets, including being disabled because another hook of its
	// trigger was enabled.
	Version int64
}

// Clone returns a deep copy of h.
func (h *Hook) Clone() *Hook {
	c := *h
	c.Dependencies = maps.Clone(h.Dependencies)
	c.Secrets = maps.Clone(h.Secrets)
	return &c
}

// SecretNames returns the names of h's secrets, sorted.
func (h *Hook) SecretNames() []string {
	names := slices.Sorted(maps.Keys(h.Secrets))
	if names == nil {
		names = []string{}
	}
	return names
}

// HookPatch is a change to a hook: nil fields are left as they are. The
// trigger of a hook cannot change.
type HookPatch struct {
	// Name renames the hook, kept as given (see CheckName).
	Name *string
	// Script replaces the hook's script.
	Script *string
	// Enabled true disables the hook of the same trigger that was enabled,
	// in the same transaction.
	Enabled *bool
	// Dependencies replace the hook's dependencies when not nil; an empty
	// non-nil map removes them all.
	Dependencies map[string]string
}

// applyTo sets the fields p changes on h and reports whether it enables
// h, so that the store disables the other hook of its trigger.
func (p HookPatch) applyTo(h *Hook) (enables bool) {
	if p.Name != nil {
		h.Name = *p.Name
	}
	if p.Script != nil {
		h.Script = *p.Script
	}
	if p.Dependencies != nil {
		h.Dependencies = p.Dependencies
	}
	if p.Enabled != nil {
		h.Enabled = *p.Enabled
	}
	return p.Enabled != nil && *p.Enabled
}

// ListOptions select and page the hooks ListHooks returns.
type ListOptions struct {
	// TriggerID keeps the hooks of one trigger; empty keeps all.
	TriggerID triggers.ID
	// Enabled keeps the enabled (true) or disabled (false) hooks; nil
	// keeps both.
	Enabled *bool
	// Offset skips that many hooks of the selection.
	Offset int
	// Limit bounds how many hooks are returned; 0 means no bound.
	Limit int
}

// HookList is one page of hooks and the size of the whole selection.
type HookList struct {
	// Hooks are in the order they were created (by id), without secrets.
	Hooks []*Hook
	// Total counts the hooks of the selection, all pages together.
	Total int
}

// Store keeps hooks and their secrets. Implementations are safe for
// concurrent use; every method is atomic. The store enforces the rules every
// writer must follow: names kept as given and unique under NormalizeName, at most one enabled hook
// per trigger (enabling one disables the other in the same transaction), at
// most MaxSecrets secrets per hook, a trigger that never changes.
//
// Memory, SQLite and Postgres implement Store; package storetest checks an
// implementation against this contract.
type Store interface {
	// CreateHook stores a new hook made of h's Name, Script,
	// TriggerID, Enabled, Dependencies and Secrets, and returns it with its
	// id, timestamps and version. Other fields of h are ignored.
	CreateHook(ctx context.Context, h *Hook) (*Hook, error)
	// GetHook returns the hook with the given id, secrets included.
	GetHook(ctx context.Context, id string) (*Hook, error)
	// ListHooks returns the hooks that opts select, without secrets.
	ListHooks(ctx context.Context, opts ListOptions) (*HookList, error)
	// UpdateHook applies p to the hook and returns the result.
	UpdateHook(ctx context.Context, id string, p HookPatch) (*Hook, error)
	// DeleteHook deletes the hook and its secrets.
	DeleteHook(ctx context.Context, id string) error
	// EnabledHook returns the enabled hook of trigger t, secrets included,
	// or an error wrapping ErrNotFound when none is.
	EnabledHook(ctx context.Context, t triggers.ID) (*Hook, error)
	// SecretNames returns the names of the hook's secrets, sorted.
	SecretNames(ctx context.Context, id string) ([]string, error)
	// AddSecrets adds secrets the hook does not have yet.
	AddSecrets(ctx context.Context, id string, secrets map[string]string) error
	// UpdateSecrets changes the values of secrets the hook has.
	UpdateSecrets(ctx context.Context, id string, secrets map[string]string) error
	// DeleteSecrets removes the named secrets; names the hook does not have
	// are ignored.
	DeleteSecrets(ctx context.Context, id string, names []string) error
	// Close releases the store's resources. Calling it again is harmless.
	Close() error
}

// NamePattern is the pattern of hook names in Auth0's Management API:
// letters, digits, spaces and hyphens, starting and ending with a letter or
// a digit. CheckName applies it, with MaxNameLength.
var NamePattern = regexp.MustCompile(`^[a-zA-Z0-9]([ \-a-zA-Z0-9]*[a-zA-Z0-9])?$`)

// CheckName is the one rule for hook names, applied by every store, the
// Management API, the Dashboard (through the pattern it is given) and the
// deploy-cli files: a name matches NamePattern (ASCII letters, digits,
// spaces and hyphens, starting and ending with a letter or a digit) and is
// at most MaxNameLength characters long. A name that passes is stored and
// returned exactly as given. The error wraps ErrInvalid and says what is
// wrong, in words a user can act on.
func CheckName(name string) error {
	switch {
	case name == "":
		return fmt.Errorf("%w: a hook name cannot be empty", ErrInvalid)
	case len(name) > MaxNameLength:
		return fmt.Errorf("%w: the name is %d characters long, at most %d are allowed", ErrInvalid, len(name), MaxNameLength)
	}
	for i, r := range name {
		if !(r < unicode.MaxASCII && (isAlnum(r) || r == ' ' || r == '-')) {
			return fmt.Errorf("%w: the name %q has %q at position %d: only letters a-z and A-Z, digits, spaces and '-' are allowed",
				ErrInvalid, name, r, i+1)
		}
	}
	if first, last := name[0], name[len(name)-1]; first == ' ' || first == '-' || last == ' ' || last == '-' {
		return fmt.Errorf("%w: the name %q must start and end with a letter or a digit", ErrInvalid, name)
	}
	return nil
}

// ValidName reports whether CheckName accepts name.
func ValidName(name string) bool { return CheckName(name) == nil }

// NormalizeName returns the key under which hook names are unique: two
// names with the same key cannot both be used, whatever their triggers. The
// key is lower-case words joined by single hyphens, where words are split at
// spaces, hyphens and other punctuation, at a lower-case letter followed by
// an upper-case one, before the last capital of a run of capitals followed
// by a lower-case letter, and between letters and digits: "My Hook", "my
// hook" and "MyHook" share the key "my-hook", "test-hook735" has the key
// "test-hook-735". It is the kebab-case of the lodash library, which
// Auth0's API applied to the names themselves (and older versions of
// hookengine did too); hookengine keeps names as sent and uses this form
// only to refuse look-alikes. NormalizeName is idempotent.
func NormalizeName(name string) string {
	var words []string
	for _, run := range strings.FieldsFunc(name, func(r rune) bool { return !isAlnum(r) }) {
		words = appendWords(words, []rune(run))
	}
	return strings.ToLower(strings.Join(words, "-"))
}

func isAlnum(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

// appendWords splits a run of letters and digits into words.
func appendWords(words []string, run []rune) []string {
	start := 0
	for i := 1; i < len(run); i++ {
		prev, cur := run[i-1], run[i]
		boundary := unicode.IsDigit(prev) != unicode.IsDigit(cur) ||
			unicode.IsLower(prev) && unicode.IsUpper(cur) ||
			unicode.IsUpper(prev) && unicode.IsUpper(cur) && i+1 < len(run) && unicode.IsLower(run[i+1])
		if boundary {
			words = append(words, string(run[start:i]))
			start = i
		}
	}
	return append(words, string(run[start:]))
}

// RestoreLegacyName undoes, as far as it can be undone, the rewriting that
// hookengine before schema version 2 applied to stored names (NormalizeName):
// a hyphen between a letter and a digit, which that rewriting inserted into
// names such as "audit-hook-v2" (stored as "audit-hook-v-2"), is removed.
// The lower-casing and the other splits cannot be undone; a name that is not
// in the normalised form was not rewritten and is returned unchanged. The
// result has the same key (NormalizeName) as stored, so restoring never
// makes two names clash.
func RestoreLegacyName(stored string) string {
	if NormalizeName(stored) != stored {
		return stored
	}
	b := []byte(stored)
	out := make([]byte, 0, len(b))
	for i, c := range b {
		if c == '-' && i > 0 && i+1 < len(b) && isASCIILetter(b[i-1]) && isASCIIDigit(b[i+1]) {
			continue
		}
		out = append(out, c)
	}
	return string(out)
}

func isASCIILetter(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }
func isASCIIDigit(c byte) bool  { return '0' <= c && c <= '9' }

// NameRename is one step of the legacy-name migration: the hook with ID
// had the stored name From and is given To.
type NameRename struct {
	ID, From, To string
}

// LegacyNameRenames is the legacy-name migration expressed on a store's
// rows, so that every Store implementation applies the same one: given the
// stored names by hook id, it returns the renames to apply (RestoreLegacyName
// of each name that changes), in id order. A rename whose result another
// hook already has exactly is left out.
func LegacyNameRenames(names map[string]string) []NameRename {
	taken := map[string]bool{}
	for _, n := range names {
		taken[n] = true
	}
	var out []NameRename
	for _, id := range slices.Sorted(maps.Keys(names)) {
		from := names[id]
		to := RestoreLegacyName(from)
		if to == from || taken[to] {
			continue
		}
		taken[to] = true
		out = append(out, NameRename{ID: id, From: from, To: to})
	}
	return out
}

// checkHook validates a hook about to be created.
func checkHook(h *Hook) (*Hook, error) {
	c := h.Clone()
	if err := CheckName(c.Name); err != nil {
		return nil, err
	}
	if c.Script == "" {
		return nil, fmt.Errorf("%w: empty script", ErrInvalid)
	}
	if _, ok := triggers.Lookup(c.TriggerID); !ok {
		return nil, fmt.Errorf("%w: unknown trigger %q", ErrInvalid, c.TriggerID)
	}
	if c.Dependencies == nil {
		c.Dependencies = map[string]string{}
	}
	if len(c.Secrets) > MaxSecrets {
		return nil, fmt.Errorf("%w: %d secrets", ErrTooManySecrets, len(c.Secrets))
	}
	if err := checkSecretNames(slices.Collect(maps.Keys(c.Secrets))); err != nil {
		return nil, err
	}
	if c.Secrets == nil {
		c.Secrets = map[string]string{}
	}
	return c, nil
}

// checkPatch validates a patch.
func checkPatch(p HookPatch) (HookPatch, error) {
	if p.Name != nil {
		if err := CheckName(*p.Name); err != nil {
			return p, err
		}
	}
	if p.Script != nil && *p.Script == "" {
		return p, fmt.Errorf("%w: empty script", ErrInvalid)
	}
	p.Dependencies = maps.Clone(p.Dependencies)
	return p, nil
}

func checkSecretNames(names []string) error {
	for _, n := range names {
		if n == "" {
			return fmt.Errorf("%w: empty secret name", ErrInvalid)
		}
	}
	return nil
}

// nameTaken is the error of a name whose key the hook id, named other,
// has.
func nameTaken(name, other, id string) error {
	if name == other {
		return fmt.Errorf("%w: %q (hook %s)", ErrNameTaken, name, id)
	}
	return fmt.Errorf("%w: %q is too close to %q, the name of hook %s; names must differ in more than case, spaces, hyphens and letter-digit boundaries",
		ErrNameTaken, name, other, id)
}

// notFound is the error of a missing hook.
func notFound(id string) error { return fmt.Errorf("%w: %q", ErrNotFound, id) }
