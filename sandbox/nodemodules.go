package sandbox

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"path"
	"slices"
	"strings"
	"sync"

	"github.com/dop251/goja"
)

// nodeModulesRoot is the virtual directory scripts see the node_modules
// file system at: a package file is /node_modules/NAME/..., whatever the
// host path of the directory is.
const nodeModulesRoot = "/node_modules"

// maxModuleFile bounds the size of one file require reads.
const maxModuleFile = 16 << 20

// coreModules are the names of Node.js's built-in modules. They never
// resolve to node_modules: a hook gets the engine's module of that name, or
// an error saying the module is not available.
var coreModules = map[string]bool{
	"assert": true, "assert/strict": true, "async_hooks": true, "buffer": true, "child_process": true,
	"cluster": true, "console": true, "constants": true, "crypto": true, "dgram": true,
	"diagnostics_channel": true, "dns": true, "dns/promises": true, "domain": true, "events": true,
	"fs": true, "fs/promises": true, "http": true, "http2": true, "https": true, "inspector": true,
	"module": true, "net": true, "os": true, "path": true, "path/posix": true, "path/win32": true,
	"perf_hooks": true, "process": true, "punycode": true, "querystring": true, "readline": true,
	"repl": true, "stream": true, "stream/promises": true, "stream/web": true, "string_decoder": true,
	"sys": true, "timers": true, "timers/promises": true, "tls": true, "trace_events": true, "tty": true,
	"url": true, "util": true, "util/types": true, "v8": true, "vm": true, "wasi": true,
	"worker_threads": true, "zlib": true,
}

// IsCoreModule reports whether name (without a "node:" prefix) is one of
// Node.js's built-in modules, such as fs, http or crypto.
func IsCoreModule(name string) bool { return coreModules[name] }

// nodeModules serves require from a read-only node_modules directory. It
// caches what it reads, resolves and compiles, on the assumption that the
// directory does not change, and is safe for concurrent use.
type nodeModules struct {
	fsys fs.FS

	mu       sync.Mutex
	kinds    map[string]fileKind
	pkgs     map[string]*pkgEntry
	resolved map[string]resolution
	files    map[string]*sourceFile
}

type fileKind uint8

const (
	kindNone fileKind = iota + 1
	kindFile
	kindDir
)

type pkgEntry struct {
	once sync.Once
	pkg  *packageJSON // nil when the directory has no package.json
	err  error
}

// resolution is the outcome of resolving one specifier from one directory.
type resolution struct {
	file string
	err  *moduleError
}

// sourceFile is a module file read and, for JavaScript, compiled.
type sourceFile struct {
	once sync.Once
	prog *goja.Program // JavaScript
	json string        // JSON
	err  *moduleError
}

// moduleError is why require failed, thrown as an Error with a code.
type moduleError struct {
	code string
	msg  string
	// syntax errors are thrown as SyntaxError.
	syntax bool
}

func (e *moduleError) Error() string { return e.msg }

func newNodeModules(fsys fs.FS) *nodeModules {
	return &nodeModules{
		fsys:     fsys,
		kinds:    make(map[string]fileKind),
		pkgs:     make(map[string]*pkgEntry),
		resolved: make(map[string]resolution),
		files:    make(map[string]*sourceFile),
	}
}

// fsPath maps a virtual path to a path in fsys; ok is false for paths
// outside /node_modules, which do not exist.
func fsPath(p string) (string, bool) {
	p = path.Clean(p)
	if p == nodeModulesRoot {
		return ".", true
	}
	rest, ok := strings.CutPrefix(p, nodeModulesRoot+"/")
	if !ok || !fs.ValidPath(rest) {
		return "", false
	}
	return rest, true
}

func (n *nodeModules) kind(p string) fileKind {
	n.mu.Lock()
	k, ok := n.kinds[p]
	n.mu.Unlock()
	if ok {
		return k
	}
	k = kindNone
	if name, ok := fsPath(p); ok {
		if st, err := fs.Stat(n.fsys, name); err == nil {
			switch {
			case st.Mode().IsRegular():
				k = kindFile
			case st.IsDir():
				k = kindDir
			}
		}
	}
	n.mu.Lock()
	n.kinds[p] = k
	n.mu.Unlock()
	return k
}

func (n *nodeModules) isFile(p string) bool { return n.kind(p) == kindFile }

// readFile reads a file of at most maxModuleFile bytes.
func (n *nodeModules) readFile(p string) ([]byte, error) {
	name, ok := fsPath(p)
	if !ok {
		return nil, fs.ErrNotExist
	}
	f, err := n.fsys.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxModuleFile+1))
	if err != nil {
		return nil, err
	}
	if len(b) > maxModuleFile {
		return nil, fmt.Errorf("%s is larger than %d MiB", p, maxModuleFile>>20)
	}
	return b, nil
}

// packageJSON is what require uses of a package.json.
type packageJSON struct {
	dir     string // virtual directory holding it
	name    string
	version string
	main    string
	typ     string
	exports *jsonNode // nil when absent
	native  string    // why the package needs a native addon, or ""
}

// jsonNode is a JSON value that keeps the order of object keys, which
// decides between the conditions of package.json "exports".
type jsonNode struct {
	kind  byte // 's'tring, 'o'bject, 'a'rray, 'n'ull, or 'x' for anything else
	str   string
	keys  []string
	vals  []*jsonNode
	items []*jsonNode
}

func decodeNode(dec *json.Decoder) (*jsonNode, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch t := tok.(type) {
	case string:
		return &jsonNode{kind: 's', str: t}, nil
	case nil:
		return &jsonNode{kind: 'n'}, nil
	case json.Delim:
		switch t {
		case '{':
			o := &jsonNode{kind: 'o'}
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return nil, err
				}
				v, err := decodeNode(dec)
				if err != nil {
					return nil, err
				}
				o.keys = append(o.keys, kt.(string))
				o.vals = append(o.vals, v)
			}
			_, err := dec.Token()
			return o, err
		case '[':
			a := &jsonNode{kind: 'a'}
			for dec.More() {
				v, err := decodeNode(dec)
				if err != nil {
					return nil, err
				}
				a.items = append(a.items, v)
			}
			_, err := dec.Token()
			return a, err
		}
	}
	return &jsonNode{kind: 'x'}, nil
}

// pkg returns the package.json of directory dir, nil if it has none.
func (n *nodeModules) pkg(dir string) (*packageJSON, error) {
	n.mu.Lock()
	e, ok := n.pkgs[dir]
	if !ok {
		e = &pkgEntry{}
		n.pkgs[dir] = e
	}
	n.mu.Unlock()
	e.once.Do(func() { e.pkg, e.err = n.readPkg(dir) })
	return e.pkg, e.err
}

func (n *nodeModules) readPkg(dir string) (*packageJSON, error) {
	file := path.Join(dir, "package.json")
	if !n.isFile(file) {
		return nil, nil
	}
	b, err := n.readFile(file)
	if err != nil {
		return nil, err
	}
	var raw struct {
		Name    any             `json:"name"`
		Version any             `json:"version"`
		Main    any             `json:"main"`
		Type    any             `json:"type"`
		Gypfile any             `json:"gypfile"`
		Exports json.RawMessage `json:"exports"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return nil, fmt.Errorf("invalid package config %s: %v", file, err)
	}
	str := func(v any) string { s, _ := v.(string); return s }
	p := &packageJSON{dir: dir, name: str(raw.Name), version: str(raw.Version), main: str(raw.Main), typ: str(raw.Type)}
	if len(raw.Exports) > 0 {
		p.exports, err = decodeNode(json.NewDecoder(bytes.NewReader(raw.Exports)))
		if err != nil {
			return nil, fmt.Errorf("invalid package config %s: exports: %v", file, err)
		}
	}
	switch {
	case raw.Gypfile == true:
		p.native = `its package.json sets "gypfile"`
	case n.isFile(path.Join(dir, "binding.gyp")):
		p.native = "it has a binding.gyp"
	}
	return p, nil
}

// nodeModulesPaths lists the node_modules directories a bare specifier is
// looked up in from dir, nearest first, as Node does.
func nodeModulesPaths(dir string) []string {
	var dirs []string
	parts := strings.Split(strings.Trim(dir, "/"), "/")
	for i := len(parts) - 1; i >= 0; i-- {
		if parts[i] == "node_modules" || parts[i] == "" {
			continue
		}
		dirs = append(dirs, "/"+path.Join(path.Join(parts[:i+1]...), "node_modules"))
	}
	return append(dirs, nodeModulesRoot)
}

// isPathSpec reports whether a require specifier is a relative or absolute
// path rather than a module name.
func isPathSpec(spec string) bool {
	return spec == "." || spec == ".." || strings.HasPrefix(spec, "./") || strings.HasPrefix(spec, "../") || strings.HasPrefix(spec, "/")
}

// splitPackage splits "name/sub/path" or "@scope/name/sub" into the package
// name and the subpath ("" when there is none).
func splitPackage(spec string) (name, sub string) {
	parts := strings.SplitN(spec, "/", 3)
	if strings.HasPrefix(spec, "@") {
		if len(parts) < 2 {
			return spec, ""
		}
		name = parts[0] + "/" + parts[1]
		if len(parts) == 3 {
			sub = parts[2]
		}
		return name, sub
	}
	name, sub, _ = strings.Cut(spec, "/")
	return name, sub
}

// packageDir finds the directory of package name as seen from dir: the
// first node_modules on the lookup path that has it.
func (n *nodeModules) packageDir(dir, name string) (string, *packageJSON, error) {
	for _, nm := range nodeModulesPaths(dir) {
		d := path.Join(nm, name)
		if n.kind(d) != kindDir {
			continue
		}
		p, err := n.pkg(d)
		return d, p, err
	}
	return "", nil, nil
}

// resolve finds the file require(spec) loads from a module in directory dir
// (the hook script is in "/"). spec has neither a "node:" prefix nor a
// version pin.
func (n *nodeModules) resolve(dir, spec string) (string, *moduleError) {
	key := dir + "\x00" + spec
	n.mu.Lock()
	r, ok := n.resolved[key]
	n.mu.Unlock()
	if ok {
		return r.file, r.err
	}
	r.file, r.err = n.resolveUncached(dir, spec)
	n.mu.Lock()
	n.resolved[key] = r
	n.mu.Unlock()
	return r.file, r.err
}

func (n *nodeModules) resolveUncached(dir, spec string) (string, *moduleError) {
	if isPathSpec(spec) {
		p := path.Join(dir, spec)
		if strings.HasPrefix(spec, "/") {
			p = path.Clean(spec)
		}
		if f := n.loadAsFile(p); f != "" {
			return f, nil
		}
		if f, err := n.loadAsDirectory(p); f != "" || err != nil {
			return f, err
		}
		return "", nil
	}
	name, sub := splitPackage(spec)
	for _, nm := range nodeModulesPaths(dir) {
		pkgDir := path.Join(nm, name)
		if n.kind(pkgDir) != kindDir {
			continue
		}
		p, err := n.pkg(pkgDir)
		if err != nil {
			return "", &moduleError{code: "ERR_INVALID_PACKAGE_CONFIG", msg: err.Error()}
		}
		if p != nil && p.native != "" {
			return "", &moduleError{code: "ERR_NATIVE_ADDON",
				msg: fmt.Sprintf("Cannot load package '%s': it needs a native addon (%s), and hooks can only load pure-JavaScript packages", name, p.native)}
		}
		if p != nil && p.exports != nil {
			return n.resolveExports(p, name, sub)
		}
		target := path.Join(nm, spec)
		if f := n.loadAsFile(target); f != "" {
			return f, nil
		}
		if f, err := n.loadAsDirectory(target); f != "" || err != nil {
			return f, err
		}
	}
	return "", nil
}

var extensions = []string{".js", ".json", ".node"}

func (n *nodeModules) loadAsFile(p string) string {
	if n.isFile(p) {
		return p
	}
	for _, ext := range extensions {
		if n.isFile(p + ext) {
			return p + ext
		}
	}
	return ""
}

func (n *nodeModules) loadIndex(p string) string {
	for _, ext := range extensions {
		if f := path.Join(p, "index"+ext); n.isFile(f) {
			return f
		}
	}
	return ""
}

func (n *nodeModules) loadAsDirectory(p string) (string, *moduleError) {
	if n.kind(p) != kindDir {
		return "", nil
	}
	pj, err := n.pkg(p)
	if err != nil {
		return "", &moduleError{code: "ERR_INVALID_PACKAGE_CONFIG", msg: err.Error()}
	}
	if pj != nil && pj.main != "" {
		m := path.Join(p, pj.main)
		if f := n.loadAsFile(m); f != "" {
			return f, nil
		}
		if f := n.loadIndex(m); f != "" {
			return f, nil
		}
	}
	return n.loadIndex(p), nil
}

// requireConditions are the package.json "exports" conditions require
// matches, in no particular order: the first key of a conditions object
// that is one of them wins.
var requireConditions = map[string]bool{"require": true, "node": true, "default": true}

// resolveExports resolves subpath of a package through its "exports".
func (n *nodeModules) resolveExports(p *packageJSON, name, sub string) (string, *moduleError) {
	subpath := "."
	if sub != "" {
		subpath = "./" + sub
	}
	notExported := &moduleError{code: "ERR_PACKAGE_PATH_NOT_EXPORTED",
		msg: fmt.Sprintf("Package subpath '%s' is not defined by \"exports\" in %s/package.json", subpath, p.dir)}
	if subpath == "." && p.exports.kind == 'o' && len(p.exports.keys) > 0 && !strings.HasPrefix(p.exports.keys[0], ".") {
		// An object of conditions is the main export.
		return n.exportTarget(p, p.exports, "", notExported)
	}
	if p.exports.kind != 'o' {
		if subpath != "." {
			return "", notExported
		}
		return n.exportTarget(p, p.exports, "", notExported)
	}
	if i := slices.Index(p.exports.keys, subpath); i >= 0 && !strings.Contains(subpath, "*") {
		return n.exportTarget(p, p.exports.vals[i], "", notExported)
	}
	// Patterns: the matching key with the longest prefix before its "*" wins.
	best, bestMatch := -1, ""
	for i, k := range p.exports.keys {
		before, after, ok := strings.Cut(k, "*")
		if !ok || strings.Contains(after, "*") {
			continue
		}
		if strings.HasPrefix(subpath, before) && len(subpath) >= len(before)+len(after) && strings.HasSuffix(subpath, after) {
			if best < 0 || len(before) > len(strings.SplitN(p.exports.keys[best], "*", 2)[0]) {
				best, bestMatch = i, subpath[len(before):len(subpath)-len(after)]
			}
		}
	}
	if best >= 0 {
		return n.exportTarget(p, p.exports.vals[best], bestMatch, notExported)
	}
	return "", notExported
}

// exportTarget resolves an "exports" target: a "./" path (with * replaced
// by match), a conditions object or an array of fallbacks.
func (n *nodeModules) exportTarget(p *packageJSON, t *jsonNode, match string, notExported *moduleError) (string, *moduleError) {
	f, found, err := n.target(p, t, match)
	switch {
	case err != nil:
		return "", err
	case !found:
		return "", notExported
	}
	return f, nil
}

func (n *nodeModules) target(p *packageJSON, t *jsonNode, match string) (file string, found bool, err *moduleError) {
	switch t.kind {
	case 's':
		rel, ok := strings.CutPrefix(t.str, "./")
		if !ok {
			return "", false, &moduleError{code: "ERR_INVALID_PACKAGE_TARGET",
				msg: fmt.Sprintf("Invalid \"exports\" target %q in %s/package.json", t.str, p.dir)}
		}
		f := path.Join(p.dir, strings.ReplaceAll(rel, "*", match))
		if !strings.HasPrefix(f, p.dir+"/") {
			return "", false, &moduleError{code: "ERR_INVALID_PACKAGE_TARGET",
				msg: fmt.Sprintf("Invalid \"exports\" target %q in %s/package.json", t.str, p.dir)}
		}
		if !n.isFile(f) {
			return "", false, &moduleError{code: "MODULE_NOT_FOUND",
				msg: fmt.Sprintf("Cannot find module '%s' (the \"exports\" target of %s/package.json)", f, p.dir)}
		}
		return f, true, nil
	case 'o':
		for i, k := range t.keys {
			if !requireConditions[k] {
				continue
			}
			f, found, err := n.target(p, t.vals[i], match)
			if found || err != nil || t.vals[i].kind == 'n' {
				return f, found, err
			}
		}
	case 'a':
		var last *moduleError
		for _, item := range t.items {
			f, found, err := n.target(p, item, match)
			if found {
				return f, true, nil
			}
			if err != nil {
				last = err
			}
		}
		return "", false, last
	}
	return "", false, nil
}

// packageScope returns the package.json that governs file: the nearest one
// up to the package's own directory.
func (n *nodeModules) packageScope(file string) *packageJSON {
	for dir := path.Dir(file); dir != "/" && path.Base(dir) != "node_modules"; dir = path.Dir(dir) {
		if p, err := n.pkg(dir); err == nil && p != nil {
			return p
		}
	}
	return nil
}

// packageName returns the name of the package file belongs to, from its
// path.
func packageName(file string) string {
	i := strings.LastIndex(file, "/node_modules/")
	if i < 0 {
		return ""
	}
	name, _ := splitPackage(file[i+len("/node_modules/"):])
	return name
}

// source reads file and compiles it, or reads it as JSON, once.
func (n *nodeModules) source(file string) *sourceFile {
	n.mu.Lock()
	s, ok := n.files[file]
	if !ok {
		s = &sourceFile{}
		n.files[file] = s
	}
	n.mu.Unlock()
	s.once.Do(func() { n.load(s, file) })
	return s
}

// moduleWrapper is the header of the function a package file is compiled
// into; it stays on the file's first line so line numbers are the file's.
const moduleWrapper = "(function (exports, require, module, __filename, __dirname) {"

func (n *nodeModules) load(s *sourceFile, file string) {
	switch ext := path.Ext(file); {
	case ext == ".node":
		s.err = &moduleError{code: "ERR_NATIVE_ADDON",
			msg: fmt.Sprintf("Cannot load %s: it is a native addon (package '%s'), and hooks can only load pure-JavaScript packages", file, packageName(file))}
		return
	case ext == ".mjs":
		s.err = esmError(file, "it is an ES module (.mjs)")
		return
	case ext != ".json" && ext != ".cjs":
		if p := n.packageScope(file); p != nil && p.typ == "module" {
			s.err = esmError(file, fmt.Sprintf(`%s/package.json sets "type": "module"`, p.dir))
			return
		}
	}
	b, err := n.readFile(file)
	if err != nil {
		s.err = &moduleError{code: "MODULE_NOT_FOUND", msg: fmt.Sprintf("Cannot read module '%s': %v", file, err)}
		return
	}
	src := string(bytes.TrimPrefix(b, []byte("\uFEFF")))
	if path.Ext(file) == ".json" {
		s.json = src
		return
	}
	if strings.HasPrefix(src, "#!") {
		// Keep the line, so line numbers stay right, but not the shebang.
		if i := strings.IndexByte(src, '\n'); i >= 0 {
			src = src[i:]
		} else {
			src = ""
		}
	}
	prog, err := compileModule(file, moduleWrapper+src+"\n})")
	if err != nil {
		msg := err.Error()
		if looksLikeESM(src) {
			s.err = esmError(file, "it uses import/export syntax")
			return
		}
		s.err = &moduleError{code: "ERR_SYNTAX", syntax: true, msg: msg}
		return
	}
	s.prog = prog
}

// compileModule compiles a module, turning a compiler panic into an error.
func compileModule(file, src string) (prog *goja.Program, err error) {
	defer func() {
		if r := recover(); r != nil {
			prog, err = nil, fmt.Errorf("%s: the compiler failed: %v", file, r)
		}
	}()
	return goja.Compile(file, src, false)
}

func esmError(file, why string) *moduleError {
	return &moduleError{code: "ERR_REQUIRE_ESM",
		msg: fmt.Sprintf("require() of ES Module %s is not supported: %s, and hooks load CommonJS modules only", file, why)}
}

// looksLikeESM reports whether a source that failed to compile has a line
// starting with an import or export declaration.
func looksLikeESM(src string) bool {
	for line := range strings.Lines(src) {
		l := strings.TrimSpace(line)
		if strings.HasPrefix(l, "import ") || strings.HasPrefix(l, "import{") || strings.HasPrefix(l, "export ") || strings.HasPrefix(l, "export{") {
			return true
		}
	}
	return false
}

// installedVersion returns the version of package name as seen from dir,
// and its package directory; dir is "" when it is not installed.
func (n *nodeModules) installedVersion(from, name string) (version, dir string, err error) {
	d, p, err := n.packageDir(from, name)
	if err != nil || d == "" {
		return "", "", err
	}
	if p != nil {
		version = p.version
	}
	return version, d, nil
}

// DependencyError reports a dependency a hook declares that the engine
// cannot satisfy: a package that is not installed, whose installed version
// does not match, or that cannot run in a hook.
type DependencyError struct {
	// Name is the package name.
	Name string
	// Wanted is the version or range the hook asks for.
	Wanted string
	// Installed is the installed version, "" when the package is missing.
	Installed string
	// Reason says what is wrong, for the error message.
	Reason string
	// Problem classifies what is wrong, for a program to show or count.
	Problem DependencyProblem
}

// DependencyProblem classifies a DependencyError.
type DependencyProblem string

// The problems a declared dependency can have.
const (
	// DependencyInvalid: the name is not a package name, or the version
	// is not a version or range.
	DependencyInvalid DependencyProblem = "invalid"
	// DependencyCoreModule: a Node.js core module hooks cannot use.
	DependencyCoreModule DependencyProblem = "core_module"
	// DependencyMissing: the package is not installed.
	DependencyMissing DependencyProblem = "missing"
	// DependencyWrongVersion: another version is installed.
	DependencyWrongVersion DependencyProblem = "wrong_version"
	// DependencyESMOnly: the package is an ES module, which require
	// cannot load.
	DependencyESMOnly DependencyProblem = "esm_only"
	// DependencyNativeAddon: the package needs a native addon.
	DependencyNativeAddon DependencyProblem = "native_addon"
	// DependencyUnloadable: the package is installed but cannot be
	// loaded for another reason (no main file, a broken package.json, a
	// syntax error).
	DependencyUnloadable DependencyProblem = "unloadable"
)

// Error names the package, both versions and the reason.
func (e *DependencyError) Error() string {
	return fmt.Sprintf("dependency %s@%s: %s", e.Name, e.Wanted, e.Reason)
}

// CheckDependencies checks the packages a hook declares, a map of package
// name to version or npm range as in Auth0's hook "dependencies" and
// package.json. A package is satisfied by a module registered under its
// name (in any version: the engine's own modules stand in for the npm
// packages they implement) or by a package of a matching version in the
// node_modules directory, that require can load. The error joins one
// *DependencyError per problem, by package name.
func (r *Registry) CheckDependencies(deps map[string]string) error {
	if len(deps) == 0 {
		return nil
	}
	var errs []error
	for _, name := range slices.Sorted(maps.Keys(deps)) {
		if err := r.checkDependency(name, deps[name]); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

func (r *Registry) checkDependency(name, wanted string) error {
	bad := func(problem DependencyProblem, installed, reason string, args ...any) error {
		return &DependencyError{Name: name, Wanted: wanted, Installed: installed, Reason: fmt.Sprintf(reason, args...), Problem: problem}
	}
	if n, _ := ParseModuleName(name); n != name || name == "" || isPathSpec(name) {
		return bad(DependencyInvalid, "", "not a package name")
	}
	if _, ok := r.modules[name]; ok {
		return nil
	}
	if coreModules[name] {
		return bad(DependencyCoreModule, "", "%s is a Node.js core module that hooks cannot use", name)
	}
	if r.nm == nil {
		return bad(DependencyMissing, "", "the package is not installed (the engine has no node_modules directory)")
	}
	version, dir, err := r.nm.installedVersion("/", name)
	if err != nil {
		return bad(DependencyUnloadable, "", "%v", err)
	}
	if dir == "" {
		return bad(DependencyMissing, "", "the package is not installed in node_modules")
	}
	if ok, err := versionOK(version, wanted); err != nil {
		if version == "" {
			return bad(DependencyUnloadable, version, "%v", err)
		}
		return bad(DependencyInvalid, version, "%v", err)
	} else if !ok {
		return bad(DependencyWrongVersion, version, "version %s is installed", version)
	}
	file, merr := r.nm.resolve("/", name)
	if merr == nil && file == "" {
		merr = &moduleError{msg: "the package has no main file"}
	}
	if merr == nil {
		merr = r.nm.source(file).err
	}
	if merr != nil {
		problem := DependencyUnloadable
		switch merr.code {
		case "ERR_REQUIRE_ESM":
			problem = DependencyESMOnly
		case "ERR_NATIVE_ADDON":
			problem = DependencyNativeAddon
		}
		return bad(problem, version, "%s", merr.msg)
	}
	return nil
}

// versionOK reports whether an installed version satisfies what a hook
// asks for.
func versionOK(installed, wanted string) (bool, error) {
	if strings.TrimSpace(wanted) == installed {
		return true, nil
	}
	if installed == "" {
		return false, errors.New("the installed package has no version in its package.json")
	}
	return VersionMatches(installed, wanted)
}

// requirePackage loads a module from node_modules for a module in
// directory dir ("/" for the hook script). version is a pin from the
// specifier, checked against the installed package.
func (r *Runtime) requirePackage(reg *Registry, spec, name, version, dir string, parent string) goja.Value {
	nm := reg.nm
	if version != "" {
		pkgName, _ := splitPackage(name)
		installed, pdir, err := nm.installedVersion(dir, pkgName)
		switch {
		case err != nil:
			r.throwModuleError(&moduleError{code: "ERR_INVALID_PACKAGE_CONFIG", msg: err.Error()})
		case pdir == "":
			r.throwModuleError(&moduleError{code: "MODULE_NOT_FOUND",
				msg: fmt.Sprintf("Cannot find module '%s': %s is not installed", spec, pkgName)})
		}
		if ok, err := versionOK(installed, version); err != nil || !ok {
			msg := fmt.Sprintf("Cannot load '%s': version %s of %s is installed, not %s", spec, installed, pkgName, version)
			if err != nil {
				msg = fmt.Sprintf("Cannot load '%s': %v", spec, err)
			}
			r.throwModuleError(&moduleError{code: "ERR_DEPENDENCY_VERSION", msg: msg})
		}
	}
	file, err := nm.resolve(dir, name)
	if err != nil {
		r.throwModuleError(err)
	}
	if file == "" {
		r.throwNotFound(spec, parent, "")
	}
	return r.loadFile(reg, file)
}

// requirePath loads a module by a relative or absolute path, for a module
// of node_modules.
func (r *Runtime) requirePath(reg *Registry, spec, parent string) goja.Value {
	file, err := reg.nm.resolve(path.Dir(parent), spec)
	if err != nil {
		r.throwModuleError(err)
	}
	if file == "" {
		r.throwNotFound(spec, parent, "")
	}
	return r.loadFile(reg, file)
}

// loadFile returns the exports of module file, running it the first time.
// A module is cached before it runs, so a cycle of requires gets the
// exports as they are so far, as in Node; one that throws is not cached.
func (r *Runtime) loadFile(reg *Registry, file string) goja.Value {
	if m, ok := r.modules[file]; ok {
		return m.(*goja.Object).Get("exports")
	}
	src := reg.nm.source(file)
	if src.err != nil {
		r.throwModuleError(src.err)
	}
	vm := r.vm
	module, exports := vm.NewObject(), vm.NewObject()
	dir := path.Dir(file)
	req := r.moduleRequire(reg, file)
	paths := nodeModulesPaths(dir)
	pathVals := make([]any, len(paths))
	for i, p := range paths {
		pathVals[i] = p
	}
	_ = module.Set("id", file)
	_ = module.Set("filename", file)
	_ = module.Set("path", dir)
	_ = module.Set("exports", exports)
	_ = module.Set("loaded", false)
	_ = module.Set("children", vm.NewArray())
	_ = module.Set("paths", vm.NewArray(pathVals...))
	_ = module.Set("require", req)
	r.modules[file] = module
	ok := false
	defer func() {
		if !ok {
			delete(r.modules, file)
		}
	}()
	if src.prog == nil {
		v, err := r.ParseJSON(src.json)
		if err != nil {
			var exc *goja.Exception
			if errors.As(err, &exc) {
				r.throwModuleError(&moduleError{code: "ERR_SYNTAX", syntax: true, msg: file + ": " + exc.Value().String()})
			}
			panic(err)
		}
		_ = module.Set("exports", v)
	} else {
		fn, err := vm.RunProgram(src.prog)
		if err != nil {
			panic(err)
		}
		call, _ := goja.AssertFunction(fn)
		if _, err := call(exports, exports, req, module, vm.ToValue(file), vm.ToValue(dir)); err != nil {
			panic(err)
		}
	}
	ok = true
	_ = module.Set("loaded", true)
	return module.Get("exports")
}

// moduleRequire makes the require function of module file.
func (r *Runtime) moduleRequire(reg *Registry, file string) *goja.Object {
	vm := r.vm
	req := r.Func("require", func(call goja.FunctionCall) goja.Value {
		spec := call.Argument(0)
		if _, ok := spec.Export().(string); !ok {
			panic(vm.NewTypeError("The \"id\" argument must be of type string. Received " + r.Inspect(spec)))
		}
		return r.requireFrom(reg, spec.String(), file)
	})
	_ = req.Set("resolve", r.Func("resolve", func(call goja.FunctionCall) goja.Value {
		spec := call.Argument(0).String()
		if isPathSpec(spec) {
			f, err := reg.nm.resolve(path.Dir(file), spec)
			if err != nil {
				r.throwModuleError(err)
			}
			if f == "" {
				r.throwNotFound(spec, file, "")
			}
			return vm.ToValue(f)
		}
		name, _ := ParseModuleName(spec)
		if _, ok := reg.modules[name]; ok || coreModules[name] {
			return vm.ToValue(name)
		}
		f, err := reg.nm.resolve(path.Dir(file), name)
		if err != nil {
			r.throwModuleError(err)
		}
		if f == "" {
			r.throwNotFound(spec, file, "")
		}
		return vm.ToValue(f)
	}))
	return req
}

// throwModuleError throws err as an Error (a SyntaxError for syntax
// errors) with its code.
func (r *Runtime) throwModuleError(err *moduleError) {
	var e *goja.Object
	if err.syntax {
		if ctor, ok := r.vm.Get("SyntaxError").(*goja.Object); ok {
			if o, cerr := r.vm.New(ctor, r.vm.ToValue(err.msg)); cerr == nil {
				e = o
			}
		}
	}
	if e == nil {
		var nerr error
		if e, nerr = r.NewError(err.msg); nerr != nil {
			panic(nerr)
		}
	}
	if err.code != "" {
		_ = e.Set("code", err.code)
	}
	panic(e)
}

// throwNotFound throws Node's MODULE_NOT_FOUND error; parent is the file
// of the requiring module ("" for the hook script), detail an explanation.
func (r *Runtime) throwNotFound(spec, parent, detail string) {
	msg := fmt.Sprintf("Cannot find module '%s'", spec)
	if detail != "" {
		msg += ": " + detail
	}
	if parent != "" {
		msg += "\nRequire stack:\n- " + parent
	}
	e, err := r.NewError(msg)
	if err != nil {
		panic(err)
	}
	_ = e.Set("code", "MODULE_NOT_FOUND")
	if parent != "" {
		_ = e.Set("requireStack", r.vm.NewArray(parent))
	}
	panic(e)
}
