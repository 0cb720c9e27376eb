package deploycli

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"unicode"

	"go.yaml.in/yaml/v3"

	"github.com/hookengine/hookengine/store"
	"github.com/hookengine/hookengine/triggers"
)

// Format is one of deploy-cli's two file formats.
type Format string

// The formats.
const (
	// FormatDirectory is a folder holding hooks/, where every *.json file
	// describes one hook and names its script file.
	FormatDirectory Format = "directory"
	// FormatYAML is a tenant.yaml file with a hooks: list, whose scripts
	// are files named relative to the YAML file.
	FormatYAML Format = "yaml"
)

// HooksDir is the folder of hooks in both formats.
const HooksDir = "hooks"

// Hook is a hook as deploy-cli's files describe it.
type Hook struct {
	// Name is the name the Deploy CLI sends for the hook (SentName of the
	// name written in the files). The store keeps it as it is; hooks are
	// matched by its key (store.NormalizeName), and a matched hook whose
	// name differs is renamed to it, so that the Deploy CLI, which matches
	// hooks by exact name, finds it afterwards.
	Name string
	// TriggerID is the hook's extensibility point.
	TriggerID triggers.ID
	// Enabled defaults to false.
	Enabled bool
	// Script is the script's text, keywords replaced.
	Script string
	// Secrets are the secret values by name; store.HiddenSecretValue as a
	// value means "keep the value the target has".
	Secrets map[string]string
	// Dependencies are npm package versions by name.
	Dependencies map[string]string
	// Source says where the hook was read from, for messages.
	Source string
}

// Files is what Read found.
type Files struct {
	// Format is the format read.
	Format Format
	// Hooks are the hooks described, in file order.
	Hooks []Hook
	// Warnings are things worth telling that do not stop an import.
	Warnings []string
}

// ValidationError lists every problem found in files or in a plan; nothing
// was written.
type ValidationError struct {
	// Problems are the problems, each saying where it is.
	Problems []string
}

// Error lists the problems.
func (e *ValidationError) Error() string {
	if len(e.Problems) == 1 {
		return "deploycli: " + e.Problems[0]
	}
	return fmt.Sprintf("deploycli: %d problems:\n  %s", len(e.Problems), strings.Join(e.Problems, "\n  "))
}

// Mappings are keyword replacements: in files and scripts, ##KEY## becomes
// the value as text and @@KEY@@ (or "@@KEY@@", quotes included) the value
// as JSON, as in deploy-cli's AUTH0_KEYWORD_REPLACE_MAPPINGS. Keywords
// without a mapping are left as they are.
type Mappings map[string]any

// LoadMappings reads mappings from a JSON file: either an object of
// mappings, or a deploy-cli configuration file holding one as
// AUTH0_KEYWORD_REPLACE_MAPPINGS.
func LoadMappings(path string) (Mappings, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var obj map[string]any
	if err := json.Unmarshal(b, &obj); err != nil {
		return nil, fmt.Errorf("deploycli: %s: not a JSON object: %w", path, err)
	}
	if inner, ok := obj["AUTH0_KEYWORD_REPLACE_MAPPINGS"]; ok {
		m, ok := inner.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("deploycli: %s: AUTH0_KEYWORD_REPLACE_MAPPINGS is not an object", path)
		}
		return Mappings(m), nil
	}
	return Mappings(obj), nil
}

// ReplaceKeywords applies m to s.
func ReplaceKeywords(s string, m Mappings) string {
	for _, k := range slices.Sorted(maps.Keys(m)) {
		v := m[k]
		js, err := json.Marshal(v)
		if err != nil {
			continue
		}
		s = strings.ReplaceAll(s, `"@@`+k+`@@"`, string(js))
		s = strings.ReplaceAll(s, `@@`+k+`@@`, string(js))
		text, ok := v.(string)
		if !ok {
			text = string(js)
		}
		s = strings.ReplaceAll(s, "##"+k+"##", text)
	}
	return s
}

// Read reads the hooks at path: a YAML file (.yaml or .yml) or a directory
// holding hooks/. Every problem found is reported at once, as a
// *ValidationError.
func Read(path string, m Mappings) (*Files, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if fi.IsDir() {
		return ReadDirectory(path, m)
	}
	switch strings.ToLower(filepath.Ext(path)) {
	case ".yaml", ".yml":
		return ReadYAML(path, m)
	}
	return nil, fmt.Errorf("deploycli: %s is neither a directory nor a .yaml file", path)
}

// ReadDirectory reads the directory format: every *.json file in
// dir/hooks is a hook whose script names a file relative to dir/hooks.
func ReadDirectory(dir string, m Mappings) (*Files, error) {
	hooksDir := filepath.Join(dir, HooksDir)
	entries, err := os.ReadDir(hooksDir)
	if err != nil {
		return nil, fmt.Errorf("deploycli: %s has no %s folder: %w", dir, HooksDir, err)
	}
	f := &Files{Format: FormatDirectory}
	var problems []string
	for _, e := range entries {
		if e.IsDir() || !strings.EqualFold(filepath.Ext(e.Name()), ".json") {
			continue
		}
		file := filepath.Join(hooksDir, e.Name())
		b, err := os.ReadFile(file)
		if err != nil {
			problems = append(problems, err.Error())
			continue
		}
		var raw any
		if err := json.Unmarshal([]byte(ReplaceKeywords(string(b), m)), &raw); err != nil {
			problems = append(problems, fmt.Sprintf("%s: not valid JSON: %v", file, err))
			continue
		}
		h, probs, warns := parseHook(raw, file, dir, hooksDir, m)
		problems = append(problems, probs...)
		f.Warnings = append(f.Warnings, warns...)
		if h != nil {
			f.Hooks = append(f.Hooks, *h)
		}
	}
	if len(problems) > 0 {
		return nil, &ValidationError{Problems: problems}
	}
	return f, nil
}

// ReadYAML reads the YAML format: the hooks: list of file, whose scripts
// name files relative to the file's directory. Other top-level keys (a
// tenant.yaml holds every resource of a tenant) are ignored.
func ReadYAML(file string, m Mappings) (*Files, error) {
	b, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	var doc map[string]any
	if err := yaml.Unmarshal([]byte(ReplaceKeywords(string(b), m)), &doc); err != nil {
		return nil, &ValidationError{Problems: []string{fmt.Sprintf("%s: not valid YAML: %v", file, err)}}
	}
	f := &Files{Format: FormatYAML}
	rawHooks, ok := doc["hooks"]
	if !ok || rawHooks == nil {
		f.Warnings = append(f.Warnings, fmt.Sprintf("%s has no hooks: list", file))
		return f, nil
	}
	list, ok := rawHooks.([]any)
	if !ok {
		return nil, &ValidationError{Problems: []string{fmt.Sprintf("%s: hooks is not a list", file)}}
	}
	base := filepath.Dir(file)
	var problems []string
	for i, raw := range list {
		where := fmt.Sprintf("%s: hooks[%d]", file, i)
		h, probs, warns := parseHook(raw, where, base, base, m)
		problems = append(problems, probs...)
		f.Warnings = append(f.Warnings, warns...)
		if h != nil {
			f.Hooks = append(f.Hooks, *h)
		}
	}
	if len(problems) > 0 {
		return nil, &ValidationError{Problems: problems}
	}
	return f, nil
}

// SentName is the name the Deploy CLI sends for a hook named name in its
// files, in both formats: lower-cased, each white-space character turned
// into '-' ("Audit Hook v2" is sent as "audit-hook-v2").
func SentName(name string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return '-'
		}
		return r
	}, strings.ToLower(name))
}

// hookKeys are the properties of deploy-cli's hook schema.
var hookKeys = []string{"name", "triggerId", "script", "enabled", "secrets", "dependencies"}

// parseHook checks one hook description (decoded JSON or YAML) and loads
// its script from scriptDir. root bounds where scripts are expected.
func parseHook(raw any, where, root, scriptDir string, m Mappings) (h *Hook, problems, warnings []string) {
	obj, ok := raw.(map[string]any)
	if !ok {
		return nil, []string{where + ": a hook is an object"}, nil
	}
	bad := func(format string, args ...any) {
		problems = append(problems, where+": "+fmt.Sprintf(format, args...))
	}
	for _, k := range slices.Sorted(maps.Keys(obj)) {
		if !slices.Contains(hookKeys, k) && k != "id" {
			warnings = append(warnings, fmt.Sprintf("%s: unknown property %q ignored", where, k))
		}
	}
	h = &Hook{Source: where, Secrets: map[string]string{}, Dependencies: map[string]string{}}
	if name, ok := obj["name"].(string); !ok {
		bad("name is required and must be a string")
	} else if err := store.CheckName(name); err != nil {
		bad("%s", strings.TrimPrefix(err.Error(), store.ErrInvalid.Error()+": "))
	} else {
		h.Name = SentName(name)
	}
	if t, ok := obj["triggerId"].(string); !ok {
		bad("triggerId is required and must be a string")
	} else if _, known := triggers.Lookup(triggers.ID(t)); !known {
		bad("triggerId %q is not one of %s", t, triggerList())
	} else {
		h.TriggerID = triggers.ID(t)
	}
	switch v := obj["enabled"].(type) {
	case nil:
	case bool:
		h.Enabled = v
	default:
		bad("enabled must be true or false, not %v", v)
	}
	for _, field := range []string{"secrets", "dependencies"} {
		v, present := obj[field]
		if !present || v == nil {
			continue
		}
		mm, ok := v.(map[string]any)
		if !ok {
			bad("%s must be an object of strings", field)
			continue
		}
		dst := h.Secrets
		if field == "dependencies" {
			dst = h.Dependencies
		}
		for _, k := range slices.Sorted(maps.Keys(mm)) {
			s, ok := mm[k].(string)
			if !ok {
				bad("%s.%s must be a string, not %v", field, k, mm[k])
				continue
			}
			if k == "" {
				bad("%s has an empty name", field)
				continue
			}
			dst[k] = s
		}
	}
	if len(h.Secrets) > store.MaxSecrets {
		bad("%d secrets: a hook can have at most %d", len(h.Secrets), store.MaxSecrets)
	}
	script, ok := obj["script"].(string)
	if !ok {
		bad("script is required and must be a string (the path of the script file)")
		return h, problems, warnings
	}
	text, warn, err := loadScript(script, root, scriptDir, m)
	if err != nil {
		bad("%v", err)
	} else if text == "" {
		bad("script %s is empty", script)
	}
	if warn != "" {
		warnings = append(warnings, where+": "+warn)
	}
	h.Script = text
	return h, problems, warnings
}

// loadScript loads a script file named relative to dir. As in deploy-cli, a
// value that names no file is the script itself, unless it looks like a file
// name.
func loadScript(script, root, dir string, m Mappings) (text, warning string, err error) {
	path := script
	if !filepath.IsAbs(path) {
		path = filepath.Join(dir, filepath.FromSlash(script))
	}
	b, rerr := os.ReadFile(path)
	switch {
	case rerr == nil:
	case errors.Is(rerr, os.ErrNotExist) && !looksLikePath(script):
		return ReplaceKeywords(script, m), "script is not a file name: used as the script's text", nil
	default:
		return "", "", fmt.Errorf("script file %s: %w", script, rerr)
	}
	if rel, err := filepath.Rel(root, path); err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		warning = fmt.Sprintf("script %s is outside %s", script, root)
	}
	return ReplaceKeywords(string(b), m), warning, nil
}

func looksLikePath(s string) bool {
	return !strings.ContainsAny(s, "\n;{}()") && (strings.HasSuffix(s, ".js") || strings.ContainsAny(s, `/\`))
}

func triggerList() string {
	var ids []string
	for _, id := range triggers.IDs() {
		ids = append(ids, string(id))
	}
	return strings.Join(ids, ", ")
}

// unsafeFileChars are the characters deploy-cli's export replaces in file
// names.
var unsafeFileChars = regexp.MustCompile(`[/\\?%*:|"<>\x00-\x1f]`)

// fileName is the base name of a hook's files.
func fileName(name string) string {
	s := unsafeFileChars.ReplaceAllString(name, "-")
	if s == "" || s == "." || s == ".." {
		s = "hook"
	}
	return s
}

// uniqueFileNames gives each hook a base name, adding -2, -3... on
// collisions.
func uniqueFileNames(hooks []Hook) []string {
	seen := map[string]bool{}
	names := make([]string, len(hooks))
	for i, h := range hooks {
		base := fileName(h.Name)
		n := base
		for k := 2; seen[strings.ToLower(n)]; k++ {
			n = fmt.Sprintf("%s-%d", base, k)
		}
		seen[strings.ToLower(n)] = true
		names[i] = n
	}
	return names
}

// hookFile is a hook as the export writes it.
type hookFile struct {
	Name         string            `json:"name" yaml:"name"`
	TriggerID    string            `json:"triggerId" yaml:"triggerId"`
	Enabled      bool              `json:"enabled" yaml:"enabled"`
	Script       string            `json:"script" yaml:"script"`
	Secrets      map[string]string `json:"secrets" yaml:"secrets"`
	Dependencies map[string]string `json:"dependencies" yaml:"dependencies"`
}

func toFile(h Hook, script string) hookFile {
	f := hookFile{Name: h.Name, TriggerID: string(h.TriggerID), Enabled: h.Enabled, Script: script,
		Secrets: maps.Clone(h.Secrets), Dependencies: maps.Clone(h.Dependencies)}
	if f.Secrets == nil {
		f.Secrets = map[string]string{}
	}
	if f.Dependencies == nil {
		f.Dependencies = map[string]string{}
	}
	return f
}

// WriteDirectory writes hooks in the directory format under dir: for each,
// hooks/NAME.js (the script) and hooks/NAME.json (the hook, naming
// "./NAME.js"). It returns warnings about files in hooks/ it did not write,
// which a later import would read too.
func WriteDirectory(dir string, hooks []Hook) ([]string, error) {
	hooksDir := filepath.Join(dir, HooksDir)
	if err := os.MkdirAll(hooksDir, 0o755); err != nil {
		return nil, err
	}
	written := map[string]bool{}
	for i, base := range uniqueFileNames(hooks) {
		js, jsonName := base+".js", base+".json"
		if err := os.WriteFile(filepath.Join(hooksDir, js), []byte(hooks[i].Script), 0o644); err != nil {
			return nil, err
		}
		b, err := json.MarshalIndent(toFile(hooks[i], "./"+js), "", "  ")
		if err != nil {
			return nil, err
		}
		if err := os.WriteFile(filepath.Join(hooksDir, jsonName), append(b, '\n'), 0o644); err != nil {
			return nil, err
		}
		written[js], written[jsonName] = true, true
	}
	return staleFiles(hooksDir, written)
}

// WriteYAML writes hooks in the YAML format: the hooks: list of file, and
// each script as hooks/NAME.js beside it. Other top-level keys of an
// existing file are kept.
func WriteYAML(file string, hooks []Hook) ([]string, error) {
	base := filepath.Dir(file)
	hooksDir := filepath.Join(base, HooksDir)
	if err := os.MkdirAll(hooksDir, 0o755); err != nil {
		return nil, err
	}
	var doc yaml.Node
	if b, err := os.ReadFile(file); err == nil && len(bytes.TrimSpace(b)) > 0 {
		if err := yaml.Unmarshal(b, &doc); err != nil {
			return nil, fmt.Errorf("deploycli: %s exists and is not YAML: %w", file, err)
		}
	} else if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	if doc.Kind == 0 {
		doc = yaml.Node{Kind: yaml.DocumentNode, Content: []*yaml.Node{{Kind: yaml.MappingNode}}}
	}
	top := doc.Content[0]
	if top.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("deploycli: %s exists and is not a YAML mapping", file)
	}
	written := map[string]bool{}
	list := make([]hookFile, len(hooks))
	for i, name := range uniqueFileNames(hooks) {
		js := name + ".js"
		if err := os.WriteFile(filepath.Join(hooksDir, js), []byte(hooks[i].Script), 0o644); err != nil {
			return nil, err
		}
		written[js] = true
		list[i] = toFile(hooks[i], "./"+HooksDir+"/"+js)
	}
	var value yaml.Node
	if err := value.Encode(list); err != nil {
		return nil, err
	}
	replaced := false
	for i := 0; i+1 < len(top.Content); i += 2 {
		if top.Content[i].Value == "hooks" {
			top.Content[i+1] = &value
			replaced = true
		}
	}
	if !replaced {
		top.Content = append(top.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: "hooks"}, &value)
	}
	var out bytes.Buffer
	enc := yaml.NewEncoder(&out)
	enc.SetIndent(2)
	if err := enc.Encode(&doc); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	if err := os.WriteFile(file, out.Bytes(), 0o644); err != nil {
		return nil, err
	}
	return staleFiles(hooksDir, written)
}

// staleFiles lists the .js and .json files of dir not in written.
func staleFiles(dir string, written map[string]bool) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var warnings []string
	for _, e := range entries {
		ext := strings.ToLower(filepath.Ext(e.Name()))
		if !e.IsDir() && (ext == ".js" || ext == ".json") && !written[e.Name()] {
			warnings = append(warnings, fmt.Sprintf("%s was not written by this export (a hook that no longer exists?): remove it, or a later import reads it too",
				filepath.Join(dir, e.Name())))
		}
	}
	return warnings, nil
}
